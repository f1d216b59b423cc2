using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Walks;

/// <summary>The nonlinear walk as the authors trained it: init, step sampling, rounding, and colour as luminance.</summary>
public sealed class NonlinearWalkRecipeTests
{
    private const int Size = 32;

    [Theory]
    [InlineData("color", 0.25, 2)]                                                      // 2.5 steps: to even, not 3
    [InlineData("color", -0.25, -2)]
    [InlineData("color", 0.75, 8)]                                                      // 7.5 → 8
    [InlineData("rotate2d", 45, 4)]                                                     // 4.5 → 4, not 5
    [InlineData("rotate2d", -45, -4)]
    [InlineData("rotate2d", 15, 2)]                                                     // 1.5 → 2
    [InlineData("rotate2d", 25, 2)]                                                     // 2.5 → 2
    [InlineData("rotate2d", 35, 4)]                                                     // 3.5 → 4
    [InlineData("rotate2d", 30, 3)]
    [InlineData("rotate2d", 0, 0)]
    public void TestStepsRoundAlphaOverEpsilonWithHalvesToEven(string transform, double alpha, int steps)
    {
        var edit = WalkTypes.Nonlinear.EditOf(TransformCatalog.Create(transform));
        using var walk = new NonlinearWalk(edit, 8, Size, torch.CPU, new torch.Generator(1));
        Assert.Equal(steps, walk.StepsFor(alpha));
    }

    [Fact]
    public void TrainingDrawsOneStepCountPerBatchFromMinusNToNWithZero()
    {
        var edit = new ZoomTransform();
        using var walk = new NonlinearWalk(edit, 8, Size, torch.CPU, new torch.Generator(1));
        var random = new Random(7);
        var seen = new List<int>();
        for (var draw = 0; draw < 400; draw++)
        {
            var alphas = walk.SampleTrainingAlphas(16, random);
            var first = alphas[0, 0];
            Assert.All(Enumerable.Range(0, 16), i => Assert.Equal(first, alphas[i, 0]));   // one n for the whole batch
            seen.Add((int)Math.Round(Math.Log(first) / Math.Log(edit.NonlinearStep(Size))));
        }
        // Every n in −4…4 (zoom's N is 4), 0 included, about equally often (400 / 9 ≈ 44 each).
        Assert.Equal(Enumerable.Range(-4, 9), seen.Distinct().Order());
        Assert.All(seen.GroupBy(n => n), group => Assert.InRange(group.Count(), 20, 75));
        Assert.Contains(0, seen);
    }

    [Fact]
    public void TrainingDrawsAreSeeded()
    {
        using var walk = new NonlinearWalk(new Rotate2dTransform(), 8, Size, torch.CPU, new torch.Generator(1));
        var first = Enumerable.Range(0, 20).Select(_ => walk.SampleTrainingAlphas(4, new Random(3))[0, 0]).Distinct().ToList();
        Assert.Single(first);
        var random = new Random(3);
        var again = Enumerable.Range(0, 20).Select(_ => walk.SampleTrainingAlphas(4, random)[0, 0]).ToList();
        var random2 = new Random(3);
        Assert.Equal(again, Enumerable.Range(0, 20).Select(_ => walk.SampleTrainingAlphas(4, random2)[0, 0]));
    }

    [Fact]
    public void StepNetworksStartFromNormalWeightsOfStd005AndZeroBiases()
    {
        using var walk = new NonlinearWalk(new Rotate2dTransform(), 128, Size, torch.CPU, new torch.Generator(5));
        var parameters = walk.named_parameters().ToList();
        var weights = parameters.Where(p => p.name.EndsWith("weight")).Select(p => p.parameter).ToList();
        var biases = parameters.Where(p => p.name.EndsWith("bias")).Select(p => p.parameter).ToList();
        Assert.Equal(4, weights.Count);                                                     // two networks of two layers
        Assert.Equal(4, biases.Count);
        var all = torch.cat(weights.Select(w => w.flatten()).ToList());                     // 65,536 draws: std within 1%
        Assert.Equal(0.05, all.std().item<float>(), 0.0015);
        Assert.Equal(0.0, all.mean().item<float>(), 0.001);
        Assert.All(biases, b => Assert.True((b == 0).all().item<bool>(), "a bias did not start at zero"));
    }

    [Fact]
    public void NonlinearColourIsLuminanceOneSliderMovingAllChannels()
    {
        var colour = TransformCatalog.Create("color");
        var luminance = WalkTypes.Nonlinear.EditOf(colour);
        Assert.Equal("color", luminance.Name);
        Assert.Equal(1, luminance.Dimensions);
        Assert.Equal(3, WalkTypes.Linear.EditOf(colour).Dimensions);                       // the linear walk keeps three sliders
        var images = torch.zeros(2, 3, 4, 4);
        var edited = luminance.Apply(images, torch.tensor(new[] { 0.3f, -0.2f }).view(2, 1)).Images;
        Assert.True(torch.allclose(edited[0], torch.full(3, 4, 4, 0.3f)) && torch.allclose(edited[1], torch.full(3, 4, 4, -0.2f)),
            "the target moves all three channels by α");
        using var walk = new NonlinearWalk(luminance, 8, Size, torch.CPU, new torch.Generator(1));
        Assert.Equal(8, walk.TrainableParameters.Count());                                  // one forward and one backward network
    }

    [Fact]
    public void ABatchOfZeroStepsIsTrainedThroughWithoutAnAdamStep()
    {
        var config = new DcganConfig(LatentSize: 8, ClassCount: 2, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);
        torch.manual_seed(3);
        var network = new DcganGeneratorNetwork(config);
        using var generator = new DcganGenerator("tiny", config, network, ["a", "b"], torch.CPU);
        var edit = new BrightnessTransform();
        using var walk = new NonlinearWalk(edit, 8, 16, torch.CPU, new torch.Generator(2));
        // 40 batches draw n = 0 a few times (1 in 11); training goes through them.
        var losses = WalkTrainer.Train(generator, edit, walk, new WalkTrainingOptions(Steps: 40, Batch: 2, LearningRate: 1e-3, Seed: 1));
        Assert.Equal(40, losses.Count);
        Assert.Contains(losses, l => l == 0);                                               // an n = 0 batch: G(z) against G(z)
        Assert.Contains(losses, l => l > 0);
    }
}
