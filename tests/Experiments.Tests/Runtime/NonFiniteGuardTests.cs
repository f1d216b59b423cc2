using Steerability.Experiments.Families.Shapes;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Runtime;

/// <summary>A NaN forced into each stage stops that stage with the stage, step and tensor named.</summary>
public sealed class NonFiniteGuardTests
{
    private static readonly DcganConfig Tiny = new(LatentSize: 8, ClassCount: 12, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);

    /// <summary>Tiny shapes data with one pixel of every image set to NaN: the first discriminator loss is NaN.</summary>
    private static LabelledImages PoisonedData()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 4, imageSize: 16, seed: 1);
        var images = data.Images.clone();
        images[.., 0, 0, 0] = float.NaN;
        return data with { Images = images };
    }

    [Fact]
    public void GeneratorTrainingStopsAtTheStepOfTheFirstNaNLoss()
    {
        var failure = Assert.Throws<NonFiniteValueException>(() =>
            GanTrainer.Train(PoisonedData(), Tiny, new GanTrainingOptions(Steps: 30, Batch: 8), torch.CPU));
        Assert.Equal(GanTrainer.Stage, failure.Stage);
        Assert.Equal("step 1", failure.Step);
        Assert.Equal("discriminator loss", failure.Tensor);
        Assert.DoesNotContain('\n', failure.Message);
    }

    [Fact]
    public void JointTrainingStopsAtTheStepOfTheFirstNaNLoss()
    {
        var transform = new ShiftTransform(vertical: false);
        var failure = Assert.Throws<NonFiniteValueException>(() => JointTrainer.Train(PoisonedData(), Tiny, new GanTrainingOptions(Steps: 30, Batch: 8),
            transform, new EditAugmentation(transform, EditAugmentation.DefaultShare, 16), walkLearningRate: 0.05, torch.CPU));
        Assert.Equal(JointTrainer.Stage, failure.Stage);
        Assert.Equal("step 1", failure.Step);
        Assert.Equal("discriminator loss", failure.Tensor);
    }

    [Fact]
    public void WalkTrainingStopsBeforeANaNGradientReachesTheWalk()
    {
        // The image is finite but its gradient is not: √x at 0 has an infinite slope, so only the backward pass fails,
        // as a wrong convolution kernel did.
        using var generator = new FunctionGenerator("infinite-slope", 16, z => (z[.., ..1].abs() * 0).sqrt().view(-1, 1, 1, 1).expand(-1, 3, 16, 16) + z.sum(1).view(-1, 1, 1, 1) * 0.01);
        var transform = new BrightnessTransform();
        using var walk = new LinearWalk(transform, generator.LatentSize, generator.ImageSize, 1, false, new torch.Generator(1), torch.CPU);
        var before = walk.Directions.detach().clone();
        var failure = Assert.Throws<NonFiniteValueException>(() => WalkTrainer.Train(generator, transform, walk, new WalkTrainingOptions(Steps: 5, Batch: 4, LearningRate: transform.DefaultLearningRate)));
        Assert.Equal(WalkTrainer.Stage, failure.Stage);
        Assert.Equal("step 1", failure.Step);
        Assert.StartsWith("walk parameter 0 gradient", failure.Tensor);
        Assert.True(walk.Directions.isfinite().all().item<bool>(), "the NaN gradient never reached the walk");
        Assert.Equal(0f, (walk.Directions - before).abs().max().item<float>());
    }

    [Fact]
    public void EvaluationStopsAtTheFirstNaNErrorNamingClassAndAlpha()
    {
        using var generator = new FunctionGenerator("nan-where-moved", 16, NaNWhereMoved);
        var transform = new BrightnessTransform();
        using var walk = new LinearWalk(transform, generator.LatentSize, generator.ImageSize, 1, false, new torch.Generator(1), torch.CPU);
        using (torch.no_grad())
        {
            walk.Directions.fill_(100f);
        }
        var failure = Assert.Throws<NonFiniteValueException>(() => AlphaEvaluator.Evaluate(generator, transform, walk,
            new EvaluationOptions(LatentsPerClass: 4, Batch: 4), ["blob"]));
        Assert.Equal(AlphaEvaluator.Stage, failure.Stage);
        Assert.StartsWith("class blob, α ", failure.Step);
        Assert.Equal("masked L2 of G(z'(α))", failure.Tensor);
    }

    [Fact]
    public void LimitsStopAtTheFirstNaNAttribute()
    {
        using var generator = new FunctionGenerator("nan-where-moved", 16, NaNWhereMoved);
        var transform = new BrightnessTransform();
        using var walk = new LinearWalk(transform, generator.LatentSize, generator.ImageSize, 1, false, new torch.Generator(1), torch.CPU);
        using (torch.no_grad())
        {
            walk.Directions.fill_(100f);
        }
        var failure = Assert.Throws<NonFiniteValueException>(() => TransformLimit.Measure(generator, transform, walk, new ForegroundMomentsDetector(),
            [0], ["blob"], transform.LinearTestGrid(16), latentsPerClass: 4, seed: 1));
        Assert.Equal(TransformLimit.Stage, failure.Stage);
        Assert.Equal("attribute of G(z'(α))", failure.Tensor);
    }

    [Fact]
    public void TheSpreadFeatureHasAFiniteGradientAtZeroSpread()
    {
        // std's derivative at zero spread is 0/0: a group of identical features sent NaN into the discriminator.
        var features = torch.ones(8, 4, 2, 2, requires_grad: true);
        DcganDiscriminatorNetwork.GroupSpread(features, 4).sum().backward();
        Assert.True(features.grad!.isfinite().all().item<bool>());
    }

    /// <summary>A plain image from z, NaN wherever |z₀| is beyond 50: never for a sampled z, always after a long walk.</summary>
    private static Tensor NaNWhereMoved(Tensor z)
    {
        var image = (z.sum(1) * 0.01).view(-1, 1, 1, 1).expand(-1, 3, 16, 16);
        return torch.where((z[.., 0].abs() > 50).view(-1, 1, 1, 1), torch.full_like(image, float.NaN), image);
    }
}
