using Spectre.Console.Testing;
using Steerability.Coordinator.Reports;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Tests.Reports;

/// <summary>
/// The report of a version 3 folder: colour's headline curve is the equal evaluation, its per-channel table is a
/// second labelled one, and each limit says what it measured, on which α, and which classes it left out.
/// </summary>
public sealed class ColourAndLimitsReportTests : IDisposable
{
    private static readonly double[] Alphas = [-1, 0, 1];

    private readonly string _folder = Directory.CreateTempSubdirectory("steer-colour-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Equal: the walk removes 3/4 of the baseline; one channel: a quarter of it.
    private static IEnumerable<WalkMetricRecord> Rows(string evaluation, double kept, string transform = "color") => Alphas.Select(alpha =>
        new WalkMetricRecord("shapes", "all", transform, "linear", PerClass: false, "plain", alpha, L2Mean: kept * Math.Abs(alpha), L2Std: 0,
            BaselineL2Mean: Math.Abs(alpha), BaselineL2Std: 0, N: 8, Evaluation: evaluation));

    private static VariabilityRecord Variability(string className, double std, string? note) =>
        new("shapes", className, "rotate2d", "linear", "orientation", 0, std, -std, std, 100, std / 2, -45, 45, std, note);

    [Fact]
    public async Task Colour_shows_the_equal_evaluation_first_and_the_channels_in_their_own_table_and_limits_state_alpha_and_left_out_classes()
    {
        var folder = Path.Combine(_folder, "sweep");
        var rows = Rows("equal", 0.25).Concat(new[] { "red", "green", "blue" }.SelectMany(c => Rows(c, 0.75))).ToList();
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(folder, "alpha_metrics", "transform=color", "a.parquet"), rows);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(folder, "alpha_metrics", "transform=rotate2d", "a.parquet"), Rows("equal", 0.5, "rotate2d").ToList());
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(folder, "variability", "v.parquet"), new[]
        {
            Variability("arrow", 10, null), Variability("ell", 20, null), Variability("tee", 30, null),
            Variability("square", 40, "left out: orientation undefined: 90°-symmetric"),
        });
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(folder, "correlation", "c.parquet"), new[]
        {
            new CorrelationRecord("shapes", "rotate2d", "linear", "plain", 0.97, 0.15, 1, 3, "orientation: principal axis", "-90 -45 0 45 90", "square: orientation undefined: 90°-symmetric"),
        });

        var data = await ReportDataLoader.LoadAsync(folder, folder);

        // The headline summary is the equal evaluation only: a reduction of 75%, not the channels' 25%.
        var summary = Assert.Single(data.Summary, s => s.Transform == "color");
        Assert.Equal(0.75, summary.MeanRelativeReduction, 9);
        Assert.Equal(["blue", "green", "red"], data.ChannelCurves.Select(c => c.Evaluation).Distinct().Order());
        Assert.Equal(0, SteerApp.Run(["report", folder], new TestConsole(), new StringWriter()));
        var html = await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ReportFolder, ReportWriter.IndexFile));
        Assert.Contains("color: evaluated one channel at a time", html);
        foreach (var channel in new[] { "red", "green", "blue" })
        {
            Assert.Contains($"<td>{channel}</td><td class=\"n\">2</td><td class=\"n\">{ReportWriter.FormatReduction(0.25)}</td><td class=\"n\">25.0%</td>", html);
        }
        Assert.Contains("Limit measured on orientation: principal axis at α = -90 -45 0 45 90.", html);
        Assert.Contains("Classes left out of the correlation: " + System.Net.WebUtility.HtmlEncode("square (left out: orientation undefined: 90°-symmetric)") + ".", html);
        // The finding names the α and the left-out class too.
        Assert.Contains(ReportFindings.Describe(data), line => line.Contains("limit at α = -90 -45 0 45 90") && line.Contains("left out: square"));
    }
}
