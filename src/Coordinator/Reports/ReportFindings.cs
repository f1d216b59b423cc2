using Steerability.Coordinator.Cli;
using System.Globalization;
using Steerability.Experiments.Training;
using Steerability.Coordinator.Commands;

namespace Steerability.Coordinator.Reports;

/// <summary>The sentences at the top of a report: what the sweep found, in numbers, read off the loaded tables.</summary>
public static class ReportFindings
{
    public static IReadOnlyList<string> Describe(ReportData data)
    {
        var lines = new List<string>();
        if (data.Trials is { Count: > 0 } trials)
        {
            var byStatus = trials.GroupBy(t => t.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
            lines.Add($"{trials.Count} trials ({string.Join(", ", byStatus)}), {F1(trials.Sum(t => t.WallSeconds))} s of trial time in all.");
        }
        var showModel = data.Curves.Select(c => c.Model).Distinct().Count() > 1;
        foreach (var curve in data.Curves.Where(c => c.Alpha != 0 && c.BaselineL2Mean > MetricsTable.NegligibleBaseline).GroupBy(c => (c.Model, c.Transform, c.Walk, c.Regime))
                     .OrderBy(g => g.Key.Transform, StringComparer.Ordinal).ThenBy(g => g.Key.Walk, StringComparer.Ordinal)
                     .ThenBy(g => g.Key.Regime, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal))
        {
            var relative = curve.Select(c => (c.Alpha, Gain: (c.BaselineL2Mean - c.L2Mean) / c.BaselineL2Mean)).ToList();
            if (relative.Count == 0)
            {
                continue;
            }
            var best = relative.MaxBy(r => r.Gain);
            var worse = relative.Count(r => r.Gain < 0);
            var name = $"{curve.Key.Transform}, {curve.Key.Walk} walk{(curve.Key.Regime == TrainingRegimes.Plain.Name ? "" : $" ({curve.Key.Regime})")}{(showModel ? $" on {curve.Key.Model}" : "")}";
            var mean = relative.Average(r => r.Gain);
            var side = mean >= 0 ? "below" : "above";
            lines.Add($"{name}: masked L2 {Percent(Math.Abs(mean))} {side} the no-walk baseline on average over {relative.Count} α where the edit changes the image; " +
                $"largest gain {Percent(best.Gain)} at α = {G(best.Alpha)}; worse than not walking at {worse} of {relative.Count} α.");
        }
        foreach (var transform in data.Curves.GroupBy(c => (c.Model, c.Transform, c.Walk)).Where(g => g.Select(c => c.Regime).Distinct().Count() > 1))
        {
            var farthest = transform.Max(c => Math.Abs(c.Alpha));
            var order = transform.Where(c => Math.Abs(c.Alpha) == farthest).GroupBy(c => c.Regime)
                .Select(g => (Regime: g.Key, L2: g.Average(c => c.L2Mean))).OrderBy(r => r.L2).ToList();
            lines.Add($"{transform.Key.Transform}, {transform.Key.Walk} walk at |α| = {G(farthest)}: " +
                string.Join(" < ", order.Select(r => $"{r.Regime} ({r.L2.ToString("F4", CultureInfo.InvariantCulture)})")) + " in masked L2.");
        }
        foreach (var c in data.Correlations.Where(c => c.N > 0 && !double.IsNaN(c.R)))
        {
            lines.Add($"{c.Transform}, {c.Walk} walk ({c.Regime}): across {c.N} classes, dataset variability and model limit correlate with " +
                $"r = {c.R.ToString("F3", CultureInfo.InvariantCulture)} (p = {c.P.ToString("G3", CultureInfo.InvariantCulture)})" +
                (c.LimitAlphas.Length > 0 ? $", limit at α = {c.LimitAlphas}" : "") + (c.LeftOut.Length > 0 ? $"; left out: {c.LeftOut}" : "") + ".");
        }
        return lines;
    }

    private static string Percent(double share) => (100 * share).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    private static string G(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
