using Steerability.Experiments.Attributes;
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
        Assert.All(result.Attributes, a => Assert.Equal("luminance", a.Attribute));
        // Luminance pools 100 sampled pixels of each of the 3 latents' images.
        Assert.All(result.Attributes, a => Assert.Equal(3 * LuminanceSampler.PixelsPerImage, a.N));
        Assert.Equal(LuminanceSampler.Description, result.Correlation.Attribute);
        Assert.Equal(CorrelationRecord.FormatAlphas(grid), result.Correlation.LimitAlphas);
        Assert.Null(result.Correlation.LeftOut);
        Assert.Equal(["a", "b", "c"], result.Variability.Select(v => v.Class));
        Assert.All(result.Variability, v => Assert.Equal(4 * LuminanceSampler.PixelsPerImage, v.DataN));   // 4 images, 100 pixels each
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

    private static DcganGenerator FourClassGenerator()
    {
        var config = TinyConfig with { ClassCount = 4 };
        torch.manual_seed(3);
        var network = new DcganGeneratorNetwork(config);
        GanTrainer.Settle(network, 4, 8, torch.CPU, seed: 1, batches: 2, batch: 16);
        return new DcganGenerator("tiny", config, network, ["a", "b", "c", "d"], torch.CPU);
    }

    private static LabelledImages FourClassData() =>
        new("tiny", torch.rand(16, 3, 16, 16) * 2 - 1, torch.tensor(Enumerable.Range(0, 16).Select(i => (long)(i / 4)).ToArray()), ["a", "b", "c", "d"], "test");

    [Fact]
    public void A_class_whose_attribute_is_undefined_keeps_its_row_with_the_reason_and_is_left_out_of_the_correlation()
    {
        using var generator = FourClassGenerator();
        var edit = new Rotate2dTransform { ClassesWithoutAttribute = new Dictionary<string, string> { ["b"] = "orientation undefined: circular" } };

        var result = LimitsStudy.Run(generator, generator.ClassNames, FourClassData(), Spec("rotate2d"), edit);

        Assert.Equal(["a", "b", "c", "d"], result.Variability.Select(v => v.Class));
        Assert.Equal("left out: orientation undefined: circular", result.Variability.Single(v => v.Class == "b").Note);
        Assert.All(result.Variability.Where(v => v.Class != "b"), v => Assert.Null(v.Note));
        Assert.Equal(3, result.Correlation.N);
        Assert.Equal("b: orientation undefined: circular", result.Correlation.LeftOut);
        // The correlation is the one over the three classes kept.
        var kept = result.Variability.Where(v => v.Class != "b").ToList();
        var expected = CorrelationResult.Of(kept.Select(v => v.DataStd!.Value).ToArray(), kept.Select(v => v.ModelSpread).ToArray());
        Assert.Equal(expected.PearsonR, result.Correlation.R!.Value, 12);
    }

    [Fact]
    public void Rotate3ds_limit_is_measured_on_its_limit_alphas_not_its_test_grid()
    {
        using var generator = FourClassGenerator();
        var edit = TransformCatalog.Create("rotate3d");

        var result = LimitsStudy.Run(generator, generator.ClassNames, FourClassData(), Spec("rotate3d"), edit);

        Assert.Equal(Rotate3dTransform.LimitGrid, result.Attributes.Select(a => a.Alpha).Distinct().Order());
        Assert.DoesNotContain(result.Attributes, a => a.Alpha % 180 == 0);
        Assert.Equal("-67.5 -45 -22.5 22.5 45 67.5", result.Correlation.LimitAlphas);
    }
}
