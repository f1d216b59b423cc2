using Steerability.Coordinator.Reports;

namespace Steerability.Coordinator.Tests.Reports;

/// <summary>The report's findings: numbers worked out by hand from small tables.</summary>
public sealed class ReportFindingsTests
{
    private static ReportData Data(IReadOnlyList<CurvePoint> curves, IReadOnlyList<CorrelationEntry>? correlations = null, IReadOnlyList<TrialEntry>? trials = null) =>
        new("/sweep", curves, ReportDataLoader.Summarise(curves), [], correlations ?? [], [], trials, []);

    [Fact]
    public void MeanAndBestGainOverTheAlphasWhereTheEditChangesTheImage()
    {
        // Baseline 1 + |α|, walk 0.25·|α| below it: gains 12.5%, 12.5%, 16.7%; α = 0 and zoom's identity (baseline 0) are left out.
        CurvePoint Point(double alpha, double baseline) => new("shapes", "zoom", "linear", "plain", alpha, baseline - 0.25 * Math.Abs(alpha) * (baseline > 0 ? 1 : 0), baseline);
        var data = Data([Point(-1, 2), Point(0, 0), Point(1, 2), Point(2, 3), Point(1.5, 0)]);

        var lines = ReportFindings.Describe(data);

        var line = Assert.Single(lines);
        Assert.StartsWith("zoom, linear walk: masked L2 13.9% below the no-walk baseline on average over 3 α", line);
        Assert.Contains("largest gain 16.7% at α = 2", line);
        Assert.Contains("worse than not walking at 0 of 3 α", line);
        Assert.Equal(3, Assert.Single(data.Summary).AlphaCount);
    }

    [Fact]
    public void AWalkWorseThanNotWalkingIsSaidToBeAbove()
    {
        // Walk 1.5 against baseline 1 at both α: 50% above, worse at 2 of 2.
        var data = Data([new("shapes", "shiftx", "linear", "plain", -6, 1.5, 1), new("shapes", "shiftx", "linear", "plain", 6, 1.5, 1)]);

        var line = Assert.Single(ReportFindings.Describe(data));

        Assert.StartsWith("shiftx, linear walk: masked L2 50.0% above the no-walk baseline on average over 2 α", line);
        Assert.Contains("worse than not walking at 2 of 2 α", line);
    }

    [Fact]
    public void AFullTurnWhoseBaselineIsRoundingNoiseIsLeftOut()
    {
        // rotate3d at ±360°: the edit gives back the image and the baseline is float noise (3e-13); a ratio to it
        // would read as a 15-digit percentage. Only α = ±90 (walk 0.5 against baseline 1: 50% below) count.
        var data = Data([new("shapes", "rotate3d", "linear", "plain", -360, 0.01, 3e-13), new("shapes", "rotate3d", "linear", "plain", -90, 0.5, 1),
            new("shapes", "rotate3d", "linear", "plain", 90, 0.5, 1), new("shapes", "rotate3d", "linear", "plain", 360, 0.01, 3e-13)]);

        var line = Assert.Single(ReportFindings.Describe(data));

        Assert.StartsWith("rotate3d, linear walk: masked L2 50.0% below the no-walk baseline on average over 2 α", line);
        Assert.Equal(2, Assert.Single(data.Summary).AlphaCount);
    }

    [Fact]
    public void RegimesAreOrderedAtTheLargestAlpha()
    {
        CurvePoint Point(string regime, double alpha, double l2) => new("mnist", "rotate2d", "linear", regime, alpha, l2, 1);
        var data = Data([Point("plain", 6, 0.5), Point("plain", 30, 0.9), Point("augmented", 30, 0.8), Point("joint", 30, 0.7), Point("joint", 6, 0.6)]);

        var lines = ReportFindings.Describe(data);

        Assert.Contains("rotate2d, linear walk at |α| = 30: joint (0.7000) < augmented (0.8000) < plain (0.9000) in masked L2.", lines);
    }

    [Fact]
    public void TrialsAndCorrelationsAreCounted()
    {
        var data = Data([new("shapes", "shiftx", "linear", "plain", 6, 0.5, 1)],
            [new("shapes", "shiftx", "linear", "plain", 0.8123, 0.00042, 12), new("shapes", "zoom", "linear", "plain", double.NaN, double.NaN, 0)],
            [new("a", "done", 1, "n", "cpu", 10, 1, ""), new("b", "done", 1, "n", "cpu", 2.5, 1, ""), new("c", "failed", 3, "n", "cpu", 1, 0, "")]);

        var lines = ReportFindings.Describe(data);

        Assert.Equal("3 trials (2 done, 1 failed), 13.5 s of trial time in all.", lines[0]);
        Assert.Contains("shiftx, linear walk (plain): across 12 classes, dataset variability and model limit correlate with r = 0.812 (p = 0.00042).", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("zoom"));
    }
}
