using ScottPlot;
using Steerability.Experiments.Transforms;

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
            var xs = ordered.Select(p => AxisValue(transform, p.Alpha)).ToArray();
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
        plot.XLabel(AxisLabel(transform));
        plot.YLabel("masked L2");
        // Beside the plot: inside, it hid the curves' ends, where the walks and regimes part.
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>
    /// The measured attribute of G(z'(α)) against α for one walk: per class its mean with ± one std over latents as
    /// error bars (each class nudged sideways so the bars stay apart), and the edit's target averaged over classes, dashed.
    /// </summary>
    public static void DrawAttributes(string path, string title, string transform, IReadOnlyList<AttributePoint> points)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        var classes = points.Select(p => p.Class).Distinct().ToList();
        var alphas = points.Select(p => AxisValue(transform, p.Alpha)).Distinct().Order().ToList();
        var step = alphas.Count > 1 ? alphas.Zip(alphas.Skip(1), (a, b) => b - a).Min() : 1;
        for (var c = 0; c < classes.Count; c++)
        {
            var ordered = points.Where(p => p.Class == classes[c]).OrderBy(p => p.Alpha).ToList();
            var nudge = step * 0.5 * ((c + 0.5) / classes.Count - 0.5);
            var xs = ordered.Select(p => AxisValue(transform, p.Alpha) + nudge).ToArray();
            var ys = ordered.Select(p => p.Mean).ToArray();
            var color = palette.GetColor(c);
            var line = plot.Add.Scatter(xs, ys);
            line.Color = color;
            line.LegendText = classes[c];
            var bars = plot.Add.ErrorBar(xs, ys, ordered.Select(p => p.Std).ToArray());
            bars.Color = color;
        }
        var target = points.GroupBy(p => p.Alpha).OrderBy(g => g.Key).ToList();
        var expected = plot.Add.Scatter(target.Select(g => AxisValue(transform, g.Key)).ToArray(), target.Select(g => g.Average(p => p.Expected)).ToArray());
        expected.Color = Colors.Black;
        expected.LinePattern = LinePattern.Dashed;
        expected.MarkerSize = 0;
        expected.LegendText = "edit target (mean over classes)";
        plot.Title(title);
        plot.XLabel(AxisLabel(transform));
        plot.YLabel(points.Count > 0 ? points[0].Attribute : "attribute");
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, Width, Height);
    }

    /// <summary>Where α sits on the axis, as the edit places it (a name no edit has: α itself).</summary>
    private static double AxisValue(string transform, double alpha) => TransformCatalog.TryCreate(transform)?.AxisValue(alpha) ?? alpha;

    private static string AxisLabel(string transform) => TransformCatalog.TryCreate(transform)?.AxisLabel ?? "α";

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
