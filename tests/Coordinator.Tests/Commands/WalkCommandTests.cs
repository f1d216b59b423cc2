using Spectre.Console.Testing;
using Steerability.Coordinator;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using TorchSharp;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>`steer walk` end to end on a tiny checkpoint: the table it prints and the files it writes.</summary>
public sealed class WalkCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-walk-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string TinyCheckpoint() => TinyCheckpoints.Save(_folder);

    [Fact]
    public async Task WritesTheAlphaTableAndTheStripAndPrintsThePooledRows()
    {
        var checkpoint = TinyCheckpoint();
        var output = Path.Combine(_folder, "out");
        var console = new TestConsole().Width(160);
        var errors = new StringWriter();
        var code = SteerApp.Run(["walk", "--checkpoint", checkpoint, "--transform", "shiftx", "--class", "circle,ring", "--steps", "3", "--batch", "4",
            "--eval-latents", "4", "--device", "cpu", "--out", output], console, errors);
        Assert.True(code == 0, errors.ToString());
        var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, "alpha_metrics.parquet"));
        Assert.Equal(3 * 9, rows.Count);                                                  // circle, ring, all × the 9 shift α
        Assert.Equal(new[] { "all", "circle", "ring" }, rows.Select(r => r.Class).Distinct().Order());
        // Exactly 0, not merely small: at α = 0 the walk adds 0·w, so z is unchanged bit for bit, G runs the same batch
        // through the same kernels, and the edit returns its input.
        Assert.All(rows.Where(r => r.Alpha == 0), r => Assert.Equal(0.0, r.L2Mean));
        Assert.All(rows.Where(r => r.Alpha != 0), r => Assert.True(r.BaselineL2Mean > 0));
        Assert.All(rows, r => Assert.Equal(r.Class == "all" ? 8 : 4, r.N));
        Assert.Contains("baseline_l2_mean", console.Output);
        Assert.True(new FileInfo(Path.Combine(output, "walk_strip.png")).Length > 100);
        Assert.True(File.Exists(Path.Combine(output, "walk.safetensors")));
    }

    [Fact]
    public async Task LimitsWritesVariabilityAttributesAndCorrelation()
    {
        var checkpoint = TinyCheckpoint();
        var output = Path.Combine(_folder, "limits");
        var errors = new StringWriter();
        var console = new TestConsole().Width(160);
        var code = SteerApp.Run(["limits", "--checkpoint", checkpoint, "--transform", "brightness", "--steps", "2", "--batch", "4",
            "--eval-latents", "4", "--device", "cpu", "--out", output], console, errors);
        Assert.True(code == 0, errors.ToString());
        var variability = await ParquetFile.ReadAsync<VariabilityRecord>(Path.Combine(output, "variability.parquet"));
        Assert.Equal(12, variability.Count);
        Assert.All(variability, v => Assert.True(v.DataStd > 0 && v.DataN > 0));
        var attributes = await ParquetFile.ReadAsync<AttributeRecord>(Path.Combine(output, "attributes.parquet"));
        Assert.Equal(12 * 9, attributes.Count);
        var correlation = Assert.Single(await ParquetFile.ReadAsync<CorrelationRecord>(Path.Combine(output, "correlation.parquet")));
        Assert.Equal(12, correlation.N);
        Assert.Contains("Pearson r", console.Output);
    }

    [Fact]
    public async Task DemoPerClassMakesTheLinearWalksPerClassAndLeavesNonlinearShared()
    {
        var checkpoint = TinyCheckpoint();
        var output = Path.Combine(_folder, "demo");
        var errors = new StringWriter();
        var console = new TestConsole().Width(200);
        var code = SteerApp.Run(["demo", "--checkpoint", checkpoint, "--transforms", "shiftx", "--per-class", "--steps", "2", "--batch", "4",
            "--eval-latents", "2", "--device", "cpu", "--out", output], console, errors);
        Assert.True(code == 0, errors.ToString());
        var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, "alpha_metrics.parquet"));
        Assert.All(rows, r => Assert.Equal(r.Walk == "linear", r.PerClass));
        Assert.Equal(new[] { "linear", "nonlinear" }, rows.Select(r => r.Walk).Distinct().Order());
        Assert.True(File.Exists(Path.Combine(output, "shiftx-linear-per-class", "alpha_metrics.parquet")));
        Assert.True(File.Exists(Path.Combine(output, "shiftx-nonlinear", "alpha_metrics.parquet")));
        Assert.Contains("linear-per-class", console.Output);
        var report = Path.Combine(output, "report", "index.html");
        Assert.Contains($"report: {report}", console.Output.ReplaceLineEndings(""));
        Assert.Contains("Walk strip: shiftx-linear-per-class", System.Net.WebUtility.HtmlDecode(File.ReadAllText(report)));
    }

    private static string RepositoryFile(string relative)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Steerability.sln")))
        {
            folder = folder.Parent;
        }
        return Path.Combine(folder?.FullName ?? throw new DirectoryNotFoundException("Steerability.sln not found above the test folder"), relative);
    }

    [Fact]
    public async Task WalkRunsOnBigGanDeepFromItsFilesAndLimitsAreRefused()
    {
        var weights = RepositoryFile("tests/fixtures/biggan-deep-tiny-a");
        var output = Path.Combine(_folder, "biggan");
        var errors = new StringWriter();
        var console = new TestConsole().Width(160);
        var code = SteerApp.Run(["limits", "--model", "biggan-deep", "--weights", weights, "--truncation", "0.4", "--class", "1,207", "--transform", "brightness",
            "--steps", "2", "--batch", "2", "--eval-latents", "2", "--device", "cpu", "--out", output], console, errors);
        // Without training data the limits study does not apply: refused before anything runs, never numbers from the
        // plain-background detector on natural images.
        Assert.Equal(2, code);
        Assert.Contains("--model: 'biggan-deep' has no training data here", errors.ToString());
        Assert.False(File.Exists(Path.Combine(output, "variability.parquet")));
        errors = new StringWriter();

        code = SteerApp.Run(["walk", "--model", "biggan-deep", "--weights", weights, "--class", "207", "--per-class", "--transform", "zoom",
            "--steps", "2", "--batch", "2", "--eval-latents", "2", "--device", "cpu", "--out", Path.Combine(_folder, "biggan-walk")], new TestConsole(), errors);
        Assert.True(code == 0, errors.ToString());
        var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(_folder, "biggan-walk", "alpha_metrics.parquet"));
        Assert.All(rows, r => Assert.Equal("biggan-deep-128", r.Model));
        Assert.Equal(13, rows.Count);
    }

    [Fact]
    public async Task WalkRunsOnBigGanFromBigGanPyTorchsStateDict()
    {
        var weights = RepositoryFile("tests/fixtures/biggan-tiny-a/G_ema.pth");
        var output = Path.Combine(_folder, "biggan-pytorch");
        var errors = new StringWriter();
        var code = SteerApp.Run(["walk", "--model", "biggan", "--weights", weights, "--truncation", "0.5", "--class", "3", "--transform", "shiftx",
            "--steps", "2", "--batch", "2", "--eval-latents", "2", "--device", "cpu", "--out", output], new TestConsole().Width(160), errors);
        Assert.True(code == 0, errors.ToString());
        var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, "alpha_metrics.parquet"));
        Assert.All(rows, r => Assert.Equal("biggan-64", r.Model));
        Assert.Equal(9, rows.Count);                                                      // class 3 × the 9 shift α at 64 px
        Assert.All(rows, r => Assert.True(double.IsFinite(r.L2Mean)));

        errors = new StringWriter();
        code = SteerApp.Run(["walk", "--model", "biggan", "--weights", weights, "--checkpoint", "x", "--transform", "shiftx", "--out", output], new TestConsole(), errors);
        Assert.Equal(2, code);
        Assert.Contains("--checkpoint: not a setting of model 'biggan'", errors.ToString());
    }

    [Fact]
    public void ACheckpointForAnotherModelIsRefused()
    {
        var checkpoint = TinyCheckpoint();
        var errors = new StringWriter();
        var code = SteerApp.Run(["walk", "--model", "mnist", "--checkpoint", checkpoint, "--transform", "zoom", "--device", "cpu", "--out", Path.Combine(_folder, "o")],
            new TestConsole(), errors);
        Assert.Equal(2, code);
        Assert.Contains("holds a 'shapes' generator", errors.ToString());
    }

    [Theory]
    [InlineData("limits", "--transform", "warp", "--transform")]
    [InlineData("limits", "--model", "biggan-deep", "--weights")]
    [InlineData("remedies", "--regimes", "plain,frozen", "--regimes")]
    [InlineData("remedies", "--augmented-share", "1.5", "--augmented-share")]
    [InlineData("bench", "--batch", "0", "--batch")]
    [InlineData("walk", "--truncation", "2", "--weights")]
    public void OtherCommandsRefuseBadInputInOneLine(string command, string flag, string value, string named)
    {
        var output = Path.Combine(_folder, "o");
        var args = command switch
        {
            "bench" => new List<string> { "bench", "walk", "--device", "cpu" },
            "walk" => new List<string> { "walk", "--model", "biggan-deep", "--transform", "zoom", "--device", "cpu", "--out", output },
            _ => new List<string> { command, "--transform", "zoom", "--device", "cpu", "--out", output },
        };
        var at = args.IndexOf(flag);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([flag, value]);
        }
        var errors = new StringWriter();
        var code = SteerApp.Run(args.ToArray(), new TestConsole(), errors);
        Assert.Equal(2, code);
        Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, errors.ToString());
        Assert.False(Directory.Exists(output));
    }
}
