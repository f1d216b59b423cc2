using ScottPlot;

namespace Steerability.Coordinator.Reports;

/// <summary>Draws the report's PNG plots with ScottPlot.</summary>
public static class ReportPlots
{
    private const int Width = 800;
    private const int Height = 480;

    /// <summary>
    /// Masked L2 against α for one transform: a solid line per walk (and regime, and model when there are several),
    /// and the no-walk baseline of the same curve dashed in the same colour, so each walk is read against its own baseline.
    /// </summary>
    public static void DrawL2(string path, string transform, IReadOnlyList<CurvePoint> points)
    {
        var plot = new Plot();
        var several = (Models: points.Select(p => p.Model).Distinct().Count() > 1, Regimes: points.Select(p => p.Regime).Distinct().Count() > 1);
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var curve in points.GroupBy(p => (p.Walk, p.Regime, p.Model)).OrderBy(g => g.Key.Walk, StringComparer.Ordinal)
                     .ThenBy(g => g.Key.Regime, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal))
        {
            var ordered = curve.OrderBy(p => p.Alpha).ToList();
            var xs = ordered.Select(p => p.Alpha).ToArray();
            var label = curve.Key.Walk + (several.Regimes ? $" ({curve.Key.Regime})" : "") + (several.Models ? $" [{curve.Key.Model}]" : "");
            var color = palette.GetColor(index++);
            var walk = plot.Add.Scatter(xs, ordered.Select(p => p.L2Mean).ToArray());
            walk.Color = color;
            walk.LegendText = label;
            var baseline = plot.Add.Scatter(xs, ordered.Select(p => p.BaselineL2Mean).ToArray());
            baseline.Color = color;
            baseline.LinePattern = LinePattern.Dashed;
            baseline.LegendText = label + " no-walk baseline";
        }
        plot.Title($"{transform}: masked L2 vs α");
        plot.XLabel("α");
        plot.YLabel("masked L2");
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Dataset spread (data_std) against model spread, one point per class, one colour per attribute.</summary>
    public static void DrawVariability(string path, string title, IReadOnlyList<VariabilityPoint> points)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var attribute in points.GroupBy(p => p.Attribute).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var markers = plot.Add.ScatterPoints(attribute.Select(p => p.DataStd).ToArray(), attribute.Select(p => p.ModelSpread).ToArray());
            markers.Color = palette.GetColor(index++);
            markers.MarkerSize = 8;
            markers.LegendText = attribute.Key;
        }
        plot.Title(title);
        plot.XLabel("data_std (training images)");
        plot.YLabel("model_spread (over the α sweep)");
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
    }
}
