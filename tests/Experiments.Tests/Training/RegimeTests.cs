using Steerability.Experiments.Families.Shapes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using TorchSharp;

namespace Steerability.Experiments.Tests.Training;

/// <summary>The remedies' training loops run on tiny data and do what their regime says.</summary>
public sealed class RegimeTests
{
    private static readonly DcganConfig Tiny = new(LatentSize: 8, ClassCount: 12, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);

    [Fact]
    public void AugmentationEditsAboutItsShareAndFillsWithTheBackground()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 20, imageSize: 16, seed: 2);
        var augmentation = new EditAugmentation(new ShiftTransform(vertical: false), share: 0.5, imageSize: 16);
        var edited = augmentation.Apply(data.Images, new Random(1));
        var changed = (edited - data.Images).abs().amax([1, 2, 3]).gt(1e-6).sum().item<long>();
        // Each of the 240 images is edited with probability 0.5: 120 ± 7.7 (one standard deviation). Random(1) fixes the
        // draw, and 80–160 (±5σ) does not rest on it, while a share of 0.25 (about 60) or 0.75 (about 180) fails.
        Assert.InRange(changed, 80, 160);
        // A shifted image's uncovered border takes the background colour, not the zero fill.
        var background = EditAugmentation.Background(data.Images);
        // Uncovered pixels are edit·0 + background·1, so the background exactly; 1e-5 only allows float32 rounding.
        Assert.True((edited - background).abs().min().item<float>() < 1e-5);
        Assert.True(edited.min().item<float>() >= -1f && edited.max().item<float>() <= 1f);
    }

    [Fact]
    public void AugmentedGanTrainingRunsAFewSteps()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 4, imageSize: 16, seed: 1);
        var augmentation = new EditAugmentation(new Rotate2dTransform { MaxTrainingDegrees = 20 }, EditAugmentation.DefaultShare, 16);
        var reports = new List<TrainingProgress>();
        using var network = GanTrainer.Train(data, Tiny, new GanTrainingOptions(Steps: 3, Batch: 8), torch.CPU,
            new ProgressCallback<TrainingProgress>(reports.Add), augmentation.Apply);
        Assert.Equal(3, reports[^1].Step);
        Assert.False(network.training, "a trained generator is left in evaluation mode");
    }

    [Fact]
    public void JointTrainingMovesTheWalkAndTheGenerator()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 4, imageSize: 16, seed: 1);
        var transform = new Rotate2dTransform { MaxTrainingDegrees = 20 };
        var reports = new List<TrainingProgress>();
        // The walk JointTrainer starts from: its vectors come from a generator seeded with the training seed (1).
        var reference = new Steerability.Experiments.Walks.LinearWalk(transform, 8, 16, 12, false, new torch.Generator(1), torch.CPU);
        var initial = reference.Directions.clone();
        var (generator, walk) = JointTrainer.Train(data, Tiny, new GanTrainingOptions(Steps: 4, Batch: 8, Seed: 1), transform,
            new EditAugmentation(transform, EditAugmentation.DefaultShare, 16), walkLearningRate: 0.05, torch.CPU, new ProgressCallback<TrainingProgress>(reports.Add));
        Assert.Equal(4, reports.Count);
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Losses["masked_l2"]) && r.Losses["masked_l2"] > 0));
        Assert.False((walk.Directions == initial).all().item<bool>(), "the walk moved");
        Assert.All(walk.TrainableParameters, p => Assert.False(p.requires_grad));
        generator.Dispose();
        walk.Dispose();
        reference.Dispose();
    }
}
