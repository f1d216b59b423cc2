using MathNet.Numerics.Distributions;

namespace Steerability.Experiments.Attributes;

/// <summary>Pearson r with its two-sided p-value, and Spearman ρ, between two paired samples.</summary>
public sealed record CorrelationResult(double PearsonR, double PValue, double SpearmanRho, int Count)
{
    /// <summary>Correlates x with y (at least three pairs; NaN when a side has no variance).</summary>
    public static CorrelationResult Of(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"correlation needs paired samples; got {x.Count} and {y.Count} values");
        }
        var n = x.Count;
        if (n < 3)
        {
            return new CorrelationResult(double.NaN, double.NaN, double.NaN, n);
        }
        var r = MathNet.Numerics.Statistics.Correlation.Pearson(x, y);
        var rho = MathNet.Numerics.Statistics.Correlation.Spearman(x, y);
        return new CorrelationResult(r, PearsonPValue(r, n), rho, n);
    }

    /// <summary>Two-sided p-value of Pearson's r under no correlation: t = r·√((n−2)/(1−r²)) on n − 2 degrees of freedom.</summary>
    public static double PearsonPValue(double r, int n)
    {
        if (double.IsNaN(r))
        {
            return double.NaN;
        }
        if (Math.Abs(r) >= 1)
        {
            return 0;
        }
        var t = r * Math.Sqrt((n - 2) / (1 - r * r));
        return 2 * (1 - StudentT.CDF(0, 1, n - 2, Math.Abs(t)));
    }
}
