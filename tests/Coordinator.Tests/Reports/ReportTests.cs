using System.Text.RegularExpressions;
using SkiaSharp;
using Spectre.Console.Testing;
using Steerability.Coordinator.Reports;
using Steerability.Coordinator.Results;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Tests.Reports;

/// <summary>`steer report` on a tiny sweep folder and a demo folder: the page, its images and its numbers.</summary>
public sealed class ReportTests : IDisposable
{
    private static readonly string[] Transforms = ["zoom", "shift<x>"];
    private static readonly string[] Walks = ["linear", "nonlinear"];
    private static readonly double[] Alphas = [-1, 0, 1, 2];

    private readonly string _folder = Directory.CreateTempSubdirectory("steer-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Errors) Run(params string[] args)
    {
        var errors = new StringWriter();
        var code = SteerApp.Run(args, new TestConsole(), errors);
        return (code, errors.ToString());
    }

    private static VariabilityRecord Variability(string model, string className, double? dataStd, double modelSpread) =>
        new(model, className, "zoom", "linear", "area_sqrt", DataMean: null, DataStd: dataStd, DataP5: null, DataP95: null, DataN: 0,
            ModelSpread: modelSpread, LowestFollowedAlpha: 0, HighestFollowedAlpha: 0, GeneratorStd: 0);

    // The walk's L2 falls below a baseline that grows with |α|; a per-class row is there to show it does not enter the summary.
    private static List<WalkMetricRecord> Rows(string transform, string walk)
    {
        var gain = (walk == "linear" ? 0.25 : 0.5) + (transform == "zoom" ? 0 : 0.125);
        return Alphas.SelectMany(alpha => new[]
        {
            new WalkMetricRecord("shapes", "all", transform, walk, PerClass: false, "plain", alpha,
                L2Mean: 1 + Math.Abs(alpha) - gain * Math.Abs(alpha), L2Std: 0, BaselineL2Mean: 1 + Math.Abs(alpha), BaselineL2Std: 0, N: 16),
            new WalkMetricRecord("shapes", "circle", transform, walk, PerClass: false, "plain", alpha,
                L2Mean: 99, L2Std: 0, BaselineL2Mean: 9, BaselineL2Std: 0, N: 4),
        }).ToList();
    }

    private static double ExpectedReduction(string transform, string walk)
    {
        var nonzero = Alphas.Where(a => a != 0).ToList();
        var rows = Rows(transform, walk).Where(r => r.Class == "all" && r.Alpha != 0).ToList();
        Assert.Equal(nonzero.Count, rows.Count);
        return rows.Average(r => r.BaselineL2Mean - r.L2Mean);
    }

    private static void WritePng(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(24, 8);
        bitmap.Erase(SKColors.CornflowerBlue);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    private static void AssertImagesExist(string reportDir, string html)
    {
        var sources = Regex.Matches(html, "<img src=\"([^\"]+)\"").Select(m => Uri.UnescapeDataString(m.Groups[1].Value)).ToList();
        Assert.NotEmpty(sources);
        foreach (var source in sources)
        {
            var path = Path.Combine(reportDir, source);
            Assert.True(File.Exists(path), $"{source} is missing");
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 8, $"{source} is empty");
            // PNG or lossless WebP (ReportImages keeps the smaller), named for what it is.
            using var codec = SKCodec.Create(path);
            Assert.NotNull(codec);
            var expected = Path.GetExtension(source) == ReportImages.WebpExtension ? SKEncodedImageFormat.Webp : SKEncodedImageFormat.Png;
            Assert.Equal(expected, codec.EncodedFormat);
        }
    }

    private async Task<string> WriteSweepAsync()
    {
        var sweep = Path.Combine(_folder, "tiny");
        foreach (var transform in Transforms)
        {
            foreach (var walk in Walks)
            {
                // The Hive layout of `steer run`, with an unsafe character in a transform name to exercise encoding.
                var partition = Path.Combine(sweep, "alpha_metrics", $"transform={transform}", $"walk={walk}", "regime=plain");
                await ParquetFile.WriteAtomicallyAsync(Path.Combine(partition, $"{walk}-{transform.Length}.parquet"), Rows(transform, walk));
            }
        }
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(sweep, "trials", "trials.parquet"), new List<TrialRow>
        {
            new() { Key = "walk-zoom-linear", Status = "done", Attempts = 1, Node = "node-a", Device = "cpu", WallSeconds = 12.5, Throughput = 321, ThroughputUnit = "latents/s" },
            new() { Key = "walk-zoom-nonlinear", Status = "failed", Attempts = 3, Node = "node-b", Device = "cuda:0", WallSeconds = 4, Throughput = 0 },
        });
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(sweep, "variability", "v.parquet"),
            new[] { "circle", "square", "triangle" }.Select((c, i) => Variability("shapes", c, dataStd: 0.1 * (i + 1), modelSpread: 0.05 * (i + 1)))
                // A generator without its data here (BigGAN-deep): no data std; the scatter leaves it out.
                .Append(Variability("biggan-deep-128", "207", dataStd: null, modelSpread: 0.3))
                .ToList());
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(sweep, "correlation", "c.parquet"), new List<CorrelationRecord>
        {
            new("shapes", "zoom", "linear", "plain", R: 0.987, P: 0.0123, Rho: 1, N: 3),
        });
        WritePng(Path.Combine(sweep, "strips", "zoom-linear", ReportData.StripFile));
        return sweep;
    }

    [Fact]
    public async Task SweepReportHasSummaryPlotsStripsAndTrials()
    {
        var sweep = await WriteSweepAsync();

        var (code, errors) = Run("report", sweep);

        Assert.True(code == 0, errors);
        var reportDir = Path.Combine(sweep, ReportWriter.ReportFolder);
        var html = await File.ReadAllTextAsync(Path.Combine(reportDir, ReportWriter.IndexFile));
        AssertImagesExist(reportDir, html);
        foreach (var transform in Transforms)
        {
            foreach (var walk in Walks)
            {
                Assert.Contains(ReportWriter.FormatReduction(ExpectedReduction(transform, walk)), html);
            }
        }
        Assert.Contains("shift&lt;x&gt;", html);
        Assert.DoesNotContain("shift<x>", html);
        Assert.Contains("r = 0.987", html);
        Assert.Contains("p = 0.0123", html);
        Assert.Contains("node-b", html);
        Assert.Contains("latents/s", html);
        Assert.Contains("strip-0-strips_zoom-linear.png", html);
        // Two L2 plots, one variability scatter, one strip.
        Assert.Equal(4, Regex.Matches(html, "<img ").Count);
    }

    [Fact]
    public async Task DemoFolderWithOneParquetFileAndStrips()
    {
        var demo = Path.Combine(_folder, "demo");
        var rows = Transforms.SelectMany(t => Walks.SelectMany(w => Rows(t, w))).ToList();
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(demo, "alpha_metrics.parquet"), rows);
        WritePng(Path.Combine(demo, "zoom-linear", ReportData.StripFile));
        WritePng(Path.Combine(demo, "zoom-nonlinear", ReportData.StripFile));

        var (code, errors) = Run("report", demo);

        Assert.True(code == 0, errors);
        var reportDir = Path.Combine(demo, ReportWriter.ReportFolder);
        var html = await File.ReadAllTextAsync(Path.Combine(reportDir, ReportWriter.IndexFile));
        AssertImagesExist(reportDir, html);
        Assert.Contains(ReportWriter.FormatReduction(ExpectedReduction("zoom", "nonlinear")), html);
        Assert.DoesNotContain("<h2>Trials</h2>", html);
        Assert.Equal(4, Regex.Matches(html, "<img ").Count);

        // A second run does not pick up the copies the first one made.
        Assert.Equal(0, Run("report", demo).Code);
        Assert.Equal(4, Regex.Matches(await File.ReadAllTextAsync(Path.Combine(reportDir, ReportWriter.IndexFile)), "<img ").Count);
    }

    [Theory]
    [InlineData("synthetic", "SYNTHETIC RUN")]
    [InlineData("nowork", "NOWORK RUN")]
    [InlineData(null, "Provenance unknown")]
    [InlineData("walk", null)]
    public async Task ReportStatesWhatMadeItAndBannersRunsThatAreNotResults(string? runner, string? banner)
    {
        var sweep = await WriteSweepAsync();
        if (runner is not null)
        {
            RunProvenance.Now("steer run", runner, "shapes", RunProvenance.PerTrialKeys, "cuda:1").Write(sweep);
        }

        var (code, errors) = Run("report", sweep);

        Assert.True(code == 0, errors);
        var html = await File.ReadAllTextAsync(Path.Combine(sweep, ReportWriter.ReportFolder, ReportWriter.IndexFile));
        if (banner is null)
        {
            Assert.DoesNotContain("id=\"banner\"", html);
        }
        else
        {
            // The banner comes first, before the title.
            var at = html.IndexOf("<div id=\"banner\"", StringComparison.Ordinal);
            Assert.True(at >= 0 && at < html.IndexOf("<h1>", StringComparison.Ordinal), "no banner above the title");
            Assert.Contains(banner, html[at..html.IndexOf("</div>", at, StringComparison.Ordinal)]);
        }
        Assert.Contains($"<th>runner</th><td>{runner ?? "unknown"}</td>", html);
        Assert.Contains($"<th>table schema version</th><td>{(runner is null ? "unknown" : RunProvenance.TableSchemaVersion)}</td>", html);
        Assert.Contains($"<th>code version (steer)</th><td>{(runner is null ? "unknown" : System.Net.WebUtility.HtmlEncode(RunProvenance.BuildVersion))}</td>", html);
        // The trials table names the devices the trials ran on.
        Assert.Contains("<th>device</th><td>cpu, cuda:0 (trials)", html);
    }

    [Fact]
    public async Task AFrameManifestThatCannotBeReadIsNamedNotShown()
    {
        var sweep = await WriteSweepAsync();
        var broken = Path.Combine(sweep, "files", "transform=zoom", "walk=linear", "regime=plain", "k1");
        Directory.CreateDirectory(broken);
        await File.WriteAllTextAsync(Path.Combine(broken, ExplorerFrameFiles.ManifestFile), "{ not json");
        WritePng(Path.Combine(broken, ExplorerFrameFiles.SheetFile));

        var (code, errors) = Run("report", sweep);

        Assert.True(code == 0, errors);
        var html = await File.ReadAllTextAsync(Path.Combine(sweep, ReportWriter.ReportFolder, ReportWriter.IndexFile));
        Assert.Contains("<p id=\"explorer-unreadable\">", html);
        Assert.Contains(Path.Combine("files", "transform=zoom", "walk=linear", "regime=plain", "k1", ExplorerFrameFiles.ManifestFile), html);
        Assert.Contains("<p id=\"explorer-none\">", html);
        Assert.DoesNotContain("id=\"explorer-data\"", html);
    }

    [Fact]
    public void FolderWithoutAlphaMetricsIsOneLineExitTwoAndNothingWritten()
    {
        var empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);

        var (code, errors) = Run("report", empty);

        Assert.Equal(2, code);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Contains($"report: '{empty}' has no alpha_metrics table", errors);
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    [Fact]
    public void MissingFolderIsNamed()
    {
        var missing = Path.Combine(_folder, "nowhere");

        var (code, errors) = Run("report", missing);

        Assert.Equal(2, code);
        Assert.Contains($"'{missing}'", errors);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public async Task DemoFolderParquetFileIsAQueryTable()
    {
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(_folder, "alpha_metrics.parquet"), Rows("zoom", "linear"));

        Assert.Contains("alpha_metrics", SweepQuery.Tables(_folder));
        var result = await SweepQuery.RunAsync(_folder, "SELECT count(*) FROM alpha_metrics WHERE class = 'all'");
        Assert.Equal(Alphas.Length, Convert.ToInt32(result.Rows[0][0]));
    }
}
