using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Walks;

/// <summary>
/// On a generator known to be steerable — z moves, scales and brightens a blob — the walks must learn the edits;
/// this separates the walk machinery from the quality of a trained GAN.
/// </summary>
public sealed class SteerableBlobTests
{
    /// <summary>A Gaussian blob at (16 + 4 z0, 16 + 4 z1) with radius 4·exp(0.3 z2) and brightness 0.2 z3.</summary>
    private sealed class BlobGenerator : IImageGenerator
    {
        public string Name => "blob";
        public int LatentSize => 8;
        public int ClassCount => 0;
        public int ImageSize => 32;
        public int Channels => 3;
        public Device Device => torch.CPU;
        public Tensor SampleLatents(int count, torch.Generator random) => torch.randn(count, 8, generator: random);

        public Tensor Generate(Tensor latents, Tensor classIndices)
        {
            var coordinates = torch.arange(32, dtype: ScalarType.Float32) + 0.5f;
            var x = coordinates.view(1, 1, -1);
            var y = coordinates.view(1, -1, 1);
            var cx = (16 + 4 * latents[.., 0]).view(-1, 1, 1);
            var cy = (16 + 4 * latents[.., 1]).view(-1, 1, 1);
            var radius = (4 * (0.3 * latents[.., 2]).exp()).view(-1, 1, 1);
            var blob = (-((x - cx).square() + (y - cy).square()) / (2 * radius.square())).exp();      // [N, S, S]
            var image = blob * 1.6f - 0.8f + (0.2f * latents[.., 3]).view(-1, 1, 1);
            return image.unsqueeze(1).expand(-1, 3, -1, -1);
        }

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("nonlinear")]
    public void TrainingLowersTheMaskedL2(string kind)
    {
        using var generator = new BlobGenerator();
        var transform = new ShiftTransform(vertical: true);
        torch.manual_seed(2);                                                              // the nonlinear walk's initial weights
        using ILatentWalk walk = kind == "linear"
            ? new LinearWalk(transform, 8, 32, 0, false, new torch.Generator(2), torch.CPU)
            : new NonlinearWalk(transform, 8, 32, torch.CPU);
        var losses = WalkTrainer.Train(generator, transform, walk, new WalkTrainingOptions(Steps: 120, Batch: 16, LearningRate: 0.02, Seed: 2));
        // Averaged over 10 steps, as each step draws new latents and α. Seeds 1–6 gave a late/early ratio of
        // 0.21–0.29 (linear) and 0.20–0.30 (nonlinear); 0.7 leaves room for other CPUs' rounding and still fails a walk
        // that does not learn (about 1).
        var early = losses.Take(10).Average();
        var late = losses.TakeLast(10).Average();
        Assert.True(late < 0.7 * early, $"masked L2 fell from {early:F4} to {late:F4}");
    }

    [Theory]
    [InlineData("shiftx", 6.0)]
    [InlineData("zoom", 2.0)]
    [InlineData("brightness", 0.25)]
    public void ALinearWalkLearnsTheEditOnASteerableGenerator(string name, double alpha)
    {
        using var generator = new BlobGenerator();
        var transform = TransformCatalog.Create(name);
        using var walk = new LinearWalk(transform, 8, 32, 0, false, new torch.Generator(1), torch.CPU);
        WalkTrainer.Train(generator, transform, walk, new WalkTrainingOptions(Steps: 150, Batch: 16, LearningRate: 0.03, Seed: 1));
        var rows = AlphaEvaluator.Evaluate(generator, transform, walk, new EvaluationOptions(LatentsPerClass: 32, Grid: [alpha]), ["none"]);
        var row = Assert.Single(rows);
        // Seeds 1–6 left the walk at these fractions of the no-walk error: shiftx below 0.001 (the blob moves exactly),
        // brightness 0.08–0.09, zoom 0.35–0.37 (the closest: zooming also pushes an off-centre blob outward by its own
        // offset, which one shared w cannot do for every latent). Half is the bar for "learned the edit", above the
        // worst seed by a quarter of the bar.
        Assert.True(row.L2Mean < 0.5 * row.BaselineL2Mean, $"{name} at α={alpha}: walk {row.L2Mean:F4} vs no walk {row.BaselineL2Mean:F4}");
    }
}
