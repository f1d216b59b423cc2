using Steerability.Coordinator.Cli;
using Steerability.Coordinator.Commands;
using Steerability.Experiments.Studies;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>The reduction column of the printed alpha_metrics table.</summary>
public sealed class MetricsTableTests
{
    [Theory]
    [InlineData(0.05, 0.1, "50%")]
    [InlineData(0.15, 0.1, "-50%")]
    [InlineData(0.0, 0.0, "—")]
    // rotate3d at a full turn: the edit returns the image up to resampling noise, and 1 − walk/noise printed as
    // -1329168971081692% before the negligible baseline was named.
    [InlineData(0.0714, 5.4e-18, "— (baseline ≈ 0)")]
    public void TheReductionIsAShareOfAMeaningfulBaselineOnly(double walk, double baseline, string shown)
    {
        var row = new WalkMetricRecord("shapes", "all", "rotate3d", "linear", PerClass: false, "plain", Alpha: 360, L2Mean: walk, L2Std: 0, BaselineL2Mean: baseline, BaselineL2Std: 0, N: 4);
        Assert.Equal(shown, MetricsTable.Reduction(row));
    }
}
