using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using TorchSharp;

namespace Steerability.Experiments.Tests.Studies;

/// <summary>The studies are plain procedures: a test (or any program) calls them and gets rows, with nothing written.</summary>
public sealed class StudyTests
{
    private static readonly DcganConfig TinyConfig = new(LatentSize: 8, ClassCount: 3, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);

    private static DcganGenerator TinyGenerator()
    {
        torch.manual_seed(3);
        var network = new DcganGeneratorNetwork(TinyConfig);
        GanTrainer.Settle(network, 3, 8, torch.CPU, seed: 1, batches: 2, batch: 16);
        return new DcganGenerator("tiny", TinyConfig, network, ["a", "b", "c"], torch.CPU);
    }

    private static WalkExperimentSpec Spec(string transform, string walk = "linear") =>
        new("tiny", transform, walk, [], false, Steps: 2, Batch: 4, Seed: 1, EvaluationLatents: 3, LearningRate: TransformCatalog.Create(transform).DefaultLearningRate);

    [Fact]
    public void The_walk_study_returns_one_row_per_class_and_alpha_plus_the_pooled_rows()
    {
        using var generator = TinyGenerator();
        var edit = TransformCatalog.Create("shiftx");
        var before = Directory.GetFiles(Directory.GetCurrentDirectory()).Length;

        var result = WalkStudy.Run(generator, generator.ClassNames, Spec("shiftx"), edit);

        var grid = edit.LinearTestGrid(16);
        Assert.Equal(4 * grid.Count, result.Rows.Count);                                    // a, b, c and all
        Assert.Equal(["a", "all", "b", "c"], result.Rows.Select(r => r.Class).Distinct().Order());
        Assert.All(result.Rows, r => Assert.Equal(("tiny", "shiftx", "linear", "plain"), (r.Model, r.Transform, r.Walk, r.Regime)));
        Assert.All(result.Rows.Where(r => r.Alpha == 0), r => Assert.Equal(0.0, r.L2Mean));   // z + 0·w = z and the identity edit
        Assert.All(result.Rows.Where(r => r.Alpha != 0), r => Assert.True(r.BaselineL2Mean > 0 && double.IsFinite(r.L2Mean)));
        Assert.Equal(2, result.Losses.Count);
        Assert.Equal(before, Directory.GetFiles(Directory.GetCurrentDirectory()).Length);
    }

    [Fact]
    public void The_limits_study_returns_attributes_variability_and_correlation_rows_named_by_the_edit()
    {
        using var generator = TinyGenerator();
        var edit = TransformCatalog.Create("brightness");
        var data = new LabelledImages("tiny", torch.rand(12, 3, 16, 16) * 2 - 1, torch.tensor(new long[] { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2 }), ["a", "b", "c"], "test");

        var result = LimitsStudy.Run(generator, generator.ClassNames, data, Spec("brightness"), edit);

        var grid = edit.LinearTestGrid(16);
        Assert.Equal(3 * grid.Count, result.Attributes.Count);
        Assert.All(result.Attributes, a => Assert.Equal("intensity", a.Attribute));
        Assert.Equal(["a", "b", "c"], result.Variability.Select(v => v.Class));
        Assert.All(result.Variability, v => Assert.Equal(4, v.DataN));
        Assert.Equal(3, result.Correlation.N);
        // The expected attribute is the edit's own rule: brightness moves the [0, 1] intensity by α/2.
        foreach (var cls in new[] { "a", "b", "c" })
        {
            var unmoved = result.Attributes.Single(a => a.Class == cls && a.Alpha == 0).Expected;
            Assert.All(result.Attributes.Where(a => a.Class == cls), a => Assert.Equal(unmoved + a.Alpha / 2, a.Expected, 9));
        }

        var withoutData = LimitsStudy.Run(generator, generator.ClassNames, null, Spec("brightness"), edit);
        Assert.All(withoutData.Variability, v => Assert.Null(v.DataStd));
        Assert.Null(withoutData.Correlation.R);
    }
}
