namespace Steerability.Experiments.Attributes;

/// <summary>Summary of one attribute over a set of images: mean, standard deviation and the 5th/95th percentiles.</summary>
public sealed record AttributeSpreadSummary(double Mean, double Std, double P5, double P95, int Count)
{
    /// <summary>Summarises values (population std; percentiles by linear interpolation between order statistics).</summary>
    public static AttributeSpreadSummary Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new AttributeSpreadSummary(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }
        var sorted = values.OrderBy(v => v).ToArray();
        var mean = sorted.Average();
        var std = Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / sorted.Length);
        return new AttributeSpreadSummary(mean, std, Percentile(sorted, 0.05), Percentile(sorted, 0.95), sorted.Length);
    }

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
