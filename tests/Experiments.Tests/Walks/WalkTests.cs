using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Walks;

public sealed class WalkTests
{
    private static readonly DcganConfig TinyConfig = new(LatentSize: 8, ClassCount: 3, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);

    private static DcganGenerator TinyGenerator()
    {
        torch.manual_seed(3);
        var network = new DcganGeneratorNetwork(TinyConfig);
        GanTrainer.Settle(network, 3, 8, torch.CPU, seed: 1, batches: 2, batch: 16);
        return new DcganGenerator("tiny", TinyConfig, network, ["a", "b", "c"], torch.CPU);
    }

    [Fact]
    public void LinearWalkAtAlphaZeroScoresExactlyZero()
    {
        using var generator = TinyGenerator();
        foreach (var name in TransformCatalog.Names)
        {
            var transform = TransformCatalog.Create(name);
            using var walk = new LinearWalk(transform, 8, 16, 3, perClass: false, new torch.Generator(1), torch.CPU);
            var grid = new[] { transform.IdentityAlpha };
            var rows = AlphaEvaluator.Evaluate(generator, transform, walk, new EvaluationOptions(LatentsPerClass: 8, Batch: 8, Grid: grid), generator.ClassNames);
            // Exactly 0, not merely small: one computation twice, not two. At the identity α the walk adds 0·w, so z is
            // unchanged bit for bit and G runs the same batch through the same kernels, and the edit returns its input.
            Assert.All(rows, r => Assert.Equal(0.0, r.L2Mean));
        }
    }

    [Fact]
    public void PerClassLinearWalkMovesEachClassAlongItsOwnVectors()
    {
        var transform = new BrightnessTransform();
        using var walk = new LinearWalk(transform, 8, 16, 3, perClass: true, new torch.Generator(1), torch.CPU);
        var z = torch.zeros(2, 8);
        var moved = walk.Steer(z, torch.tensor(new long[] { 0, 2 }), torch.full(2, 1, 0.5f));
        var expected0 = walk.Directions[0, 0] * 0.5f;
        var expected2 = walk.Directions[2, 0] * 0.5f;
        Assert.True(torch.allclose(moved[0], expected0) && torch.allclose(moved[1], expected2));
    }

    [Fact]
    public void NonlinearStepsKeepTheLatentNormAndZeroStepsKeepTheLatent()
    {
        var transform = new Rotate2dTransform();
        torch.manual_seed(4);                                                              // the walk's initial weights
        using var walk = new NonlinearWalk(transform, 8, 16, torch.CPU);
        var z = torch.randn(3, 8, generator: new torch.Generator(4));
        var moved = walk.Steer(z, torch.zeros(3, ScalarType.Int64), torch.tensor(new[] { 30f, -20f, 0f }).view(3, 1));
        // Norms of order √8 ≈ 2.8 recomputed after up to three float32 rescalings: 1e-5 relative is about 100 roundings (1.2e-7 each).
        Assert.True(torch.allclose(moved.norm(1), z.norm(1), rtol: 1e-5, atol: 1e-5), "each step rescales z to its starting norm");
        // A sample that takes no step keeps z as 1·z + 0·(stepped z): bit for bit, so exact equality is right.
        Assert.True((moved[2] == z[2]).all().item<bool>(), "α = 0 takes no step");
        Assert.False(torch.allclose(moved[0], z[0]), "α = 30 takes three steps");
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("nonlinear")]
    public void TrainingUpdatesOnlyTheWalkNeverTheGenerator(string kind)
    {
        using var generator = TinyGenerator();
        var before = generator.Network.parameters().Select(p => p.clone()).ToArray();
        var buffers = generator.Network.buffers().Select(b => b.clone()).ToArray();
        var transform = new ZoomTransform();
        torch.manual_seed(2);                                                              // the nonlinear walk's initial weights
        using ILatentWalk walk = kind == "linear"
            ? new LinearWalk(transform, 8, 16, 3, false, new torch.Generator(2), torch.CPU)
            : new NonlinearWalk(transform, 8, 16, torch.CPU);
        var walkBefore = walk.TrainableParameters.Select(p => p.clone()).ToArray();
        var losses = WalkTrainer.Train(generator, transform, walk, new WalkTrainingOptions(Steps: 5, Batch: 8, LearningRate: transform.DefaultLearningRate, Seed: 2));
        Assert.Equal(5, losses.Count);
        Assert.All(before.Zip(generator.Network.parameters()), pair => Assert.True((pair.First == pair.Second).all().item<bool>(), "a generator weight changed"));
        Assert.All(buffers.Zip(generator.Network.buffers()), pair => Assert.True((pair.First == pair.Second).all().item<bool>(), "a batch-norm statistic changed"));
        Assert.Contains(walkBefore.Zip(walk.TrainableParameters), pair => !(pair.First == pair.Second).all().item<bool>());
    }

    [Fact]
    public void MaskedL2CountsOnlyMaskedPixels()
    {
        var images = torch.zeros(1, 1, 2, 2);
        var targets = torch.tensor(new[] { 1f, 3f, 100f, 100f }).view(1, 1, 2, 2);
        var mask = torch.tensor(new[] { 1f, 1f, 0f, 0f }).view(1, 1, 2, 2);
        Assert.Equal(5f, MaskedL2.PerSample(images, targets, mask).item<float>(), 5);
    }
}
