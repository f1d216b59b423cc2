using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Contract;
using Steerability.GpuNode.Trials;
using Spectre.Console.Testing;
using Steerability.Coordinator.Sweeps;
using Steerability.Coordinator.Tests.Commands;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using TorchSharp;

namespace Steerability.Coordinator.Tests.Transforms;

/// <summary>
/// The contrast edit was added as one file (src/Experiments/Transforms/ContrastTransform.cs) and nothing else: it runs
/// in `steer walk`, `steer limits`, sweep specs and `steer report` through the catalog alone.
/// </summary>
public sealed class ContrastEditTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-contrast-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output, string Errors) Steer(params string[] args)
    {
        var console = new TestConsole().Width(200);
        var errors = new StringWriter();
        var code = SteerApp.Run(args, console, errors);
        return (code, console.Output, errors.ToString());
    }

    [Fact]
    public void Contrast_scales_about_grey_and_its_expected_attribute_is_what_the_detector_measures()
    {
        var edit = TransformCatalog.Create("contrast");
        Assert.Equal("contrast", TransformCatalog.Names[^1]);
        var images = torch.rand(4, 3, 16, 16) * 1.6 - 0.8;
        var result = edit.Apply(images, torch.tensor(new float[] { -1, -0.5f, 0, 0.5f }).view(-1, 1));
        Assert.Equal(0.0, result.Images[0].abs().max().item<float>());                           // −1: flat grey
        Assert.True(result.Images[1].allclose(images[1] * 0.5f));
        Assert.True(result.Images[2].equal(images[2]).all().item<bool>());                                         // the identity, bit for bit
        Assert.True(result.Images[3].allclose(images[3] * 1.5f));
        Assert.Equal(1.0, result.Mask.min().item<float>());

        var detector = new ForegroundMomentsDetector();
        var unmoved = detector.Measure(images).Select(edit.Attribute).ToArray();
        var edited = detector.Measure(result.Images).Select(edit.Attribute).ToArray();
        double[] alphas = [-1, -0.5, 0, 0.5];
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(edit.ExpectedAttribute(unmoved[i], alphas[i]), edited[i], 5);
        }
        Assert.NotNull(edit.AlphaProblem(-1.5));
    }

    [Fact]
    public async Task Contrast_runs_in_walk_limits_sweeps_and_the_report()
    {
        var checkpoint = TinyCheckpoints.Save(_folder);
        var output = Path.Combine(_folder, "contrast");
        var walk = Steer("walk", "--checkpoint", checkpoint, "--transform", "contrast", "--steps", "2", "--batch", "4", "--eval-latents", "2", "--device", "cpu", "--out", output);
        Assert.True(walk.Code == 0, walk.Errors);
        var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, "alpha_metrics.parquet"));
        Assert.Equal(TransformCatalog.Create("contrast").LinearTestGrid(16), rows.Where(r => r.Class == "all").Select(r => r.Alpha));
        Assert.All(rows.Where(r => r.Alpha == 0), r => Assert.Equal(0.0, r.L2Mean));

        var limits = Steer("limits", "--checkpoint", checkpoint, "--transform", "contrast", "--steps", "2", "--batch", "4", "--eval-latents", "2", "--device", "cpu", "--out", output);
        Assert.True(limits.Code == 0, limits.Errors);
        var attributes = await ParquetFile.ReadAsync<AttributeRecord>(Path.Combine(output, "attributes.parquet"));
        Assert.All(attributes, a => Assert.Equal(("contrast", "intensity"), (a.Transform, a.Attribute)));

        var report = Steer("report", output);
        Assert.True(report.Code == 0, report.Errors);
        Assert.Contains("contrast", File.ReadAllText(Path.Combine(output, "report", "index.html")));

        var spec = SweepSpecParser.Parse("sweep: c\nmodels: [shapes]\ntransforms: [contrast]\nalphas:\n  contrast: fine\n", "c.yaml");
        var trials = TrialExpansion.Expand(spec).Where(t => t.Kind == "walk").ToList();
        Assert.Equal(2, trials.Count);                                                          // linear and nonlinear
        Assert.Equal(17, trials.OfType<WalkTrial>().Single(t => t.Walk == "linear").Alphas.Length);                // 9 points and their midpoints
        var bad = Assert.Throws<InputException>(() => SweepSpecParser.Parse("sweep: c\nmodels: [shapes]\ntransforms: [contrast]\nalphas:\n  contrast: [-2, 0]\n", "c.yaml"));
        Assert.Contains("alphas.contrast[0]", bad.Message);
    }
}
