using ScottPlot;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;

namespace Steerability.Coordinator.Reports;

/// <summary>Draws the report's plots with ScottPlot; each Draw method returns the file name it wrote (PNG or lossless WebP, see <see cref="ReportImages"/>).</summary>
public static class ReportPlots
{
    private const int Width = 800;
    private const int Height = 480;

    /// <summary>
    /// Masked L2 against α for one transform: a solid line per walk (and regime, and model when there are several),
    /// and the no-walk baseline of the same curve dashed in the same colour, so each walk is read against its own baseline.
    /// </summary>
    public static string DrawL2(string path, string transform, IReadOnlyList<CurvePoint> points)
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
        return ReportImages.Write(plot.GetImageBytes(Width, Height, ImageFormat.Png), path);
    }

    /// <summary>
    /// The measured attribute of G(z'(α)) against α for one walk: per class its mean with ± one std over latents as
    /// error bars (each class nudged sideways so the bars stay apart), and the edit's target averaged over classes, dashed.
    /// </summary>
    public static string DrawAttributes(string path, string title, string transform, IReadOnlyList<AttributePoint> points)
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
        return ReportImages.Write(plot.GetImageBytes(Width, Height, ImageFormat.Png), path);
    }

    /// <summary>Where α sits on the axis, as the edit places it (a name no edit has: α itself).</summary>
    private static double AxisValue(string transform, double alpha) => TransformCatalog.TryCreate(transform)?.AxisValue(alpha) ?? alpha;

    private static string AxisLabel(string transform) => TransformCatalog.TryCreate(transform)?.AxisLabel ?? "α";

    /// <summary>
    /// The paper's variability figure: per class, dataset spread (data_std) against model limit (model_spread), each
    /// point labelled with its class; the least-squares line per attribute; r, p and ρ of the correlation table in the legend.
    /// </summary>
    public static string DrawVariability(string path, string title, IReadOnlyList<VariabilityPoint> points, IReadOnlyList<CorrelationEntry> correlations)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var attribute in points.GroupBy(p => p.Attribute).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var color = palette.GetColor(index++);
            var xs = attribute.Select(p => p.DataStd).ToArray();
            var ys = attribute.Select(p => p.ModelSpread).ToArray();
            var markers = plot.Add.ScatterPoints(xs, ys);
            markers.Color = color;
            markers.MarkerSize = 8;
            markers.LegendText = attribute.Key;
            foreach (var point in attribute)
            {
                var label = plot.Add.Text(point.Class, point.DataStd, point.ModelSpread);
                label.LabelFontColor = color;
                label.LabelFontSize = 11;
                label.OffsetX = 5;
                label.OffsetY = -5;
            }
            if (FitLine(xs, ys) is { } fit)
            {
                var (low, high) = (xs.Min(), xs.Max());
                var line = plot.Add.Line(low, fit.Intercept + fit.Slope * low, high, fit.Intercept + fit.Slope * high);
                line.Color = color;
                line.LinePattern = LinePattern.Dashed;
                line.LegendText = $"{attribute.Key} fit: {G(fit.Slope)}·x + {G(fit.Intercept)}";
            }
        }
        foreach (var c in correlations)
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = $"{c.Regime}: r = {F3(c.R)}, p = {G(c.P)}, ρ = {F3(c.Rho)}, n = {c.N}",
            });
        }
        plot.Title(title);
        plot.XLabel("dataset variability: data_std over the class's training images");
        plot.YLabel("model limit: model_spread over the α sweep");
        plot.ShowLegend(Edge.Right);
        return ReportImages.Write(plot.GetImageBytes(Width + 200, Height, ImageFormat.Png), path);
    }

    /// <summary>
    /// The paper's remedies figure: masked L2 against α for each regime (plain, augmented, joint) of one walk on one
    /// axis, with the plain regime's no-walk baseline dashed for reference.
    /// </summary>
    public static string DrawRemedies(string path, string title, string transform, IReadOnlyList<CurvePoint> points)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var regime in points.GroupBy(p => p.Regime).OrderBy(g => RegimeOrder(g.Key)))
        {
            var ordered = regime.OrderBy(p => p.Alpha).ToList();
            var line = plot.Add.Scatter(ordered.Select(p => AxisValue(transform, p.Alpha)).ToArray(), ordered.Select(p => p.L2Mean).ToArray());
            line.Color = palette.GetColor(index++);
            line.LegendText = regime.Key;
        }
        var plain = points.Where(p => p.Regime == TrainingRegimes.Plain.Name).OrderBy(p => p.Alpha).ToList();
        if (plain.Count > 0)
        {
            var baseline = plot.Add.Scatter(plain.Select(p => AxisValue(transform, p.Alpha)).ToArray(), plain.Select(p => p.BaselineL2Mean).ToArray());
            baseline.Color = Colors.Gray;
            baseline.LinePattern = LinePattern.Dashed;
            baseline.MarkerSize = 0;
            baseline.LegendText = "no-walk baseline (plain)";
        }
        plot.Title(title);
        plot.XLabel(AxisLabel(transform));
        plot.YLabel("masked L2");
        plot.ShowLegend(Edge.Right);
        return ReportImages.Write(plot.GetImageBytes(Width, Height, ImageFormat.Png), path);
    }

    /// <summary>Where a regime goes in legends and side-by-side panels: the regime catalog's order, unknown ones last.</summary>
    public static int RegimeOrder(string regime) => TrainingRegimes.TryGet(regime) is { } known ? TrainingRegimes.All.ToList().IndexOf(known) : TrainingRegimes.All.Count;

    /// <summary>
    /// The paper's distribution figure for one walk: the attribute of the model's samples G(z'(α)) as a density per α
    /// (a normal with the measured mean and std over latents: the tables keep those two moments, not the samples),
    /// against the data's band. One panel for the classes pooled, then one per class, laid out in a grid.
    /// </summary>
    public static string DrawDistributions(string path, string title, string transform, IReadOnlyList<AttributePoint> points, IReadOnlyList<VariabilityPoint> data)
    {
        const int panelWidth = 340;
        const int panelHeight = 240;
        const int columns = 3;
        var classes = points.Select(p => p.Class).Distinct().OrderBy(c => c, StringComparer.Ordinal).ToList();
        var panels = new List<byte[]> { DistributionPanel("classes pooled", transform, points, data, panelWidth, panelHeight, legend: true) };
        panels.AddRange(classes.Select(c => DistributionPanel(c, transform, points.Where(p => p.Class == c).ToList(),
            data.Where(d => d.Class == c).ToList(), panelWidth, panelHeight, legend: false)));
        var rows = (panels.Count + columns - 1) / columns;
        using var sheet = new SkiaSharp.SKBitmap(columns * panelWidth, rows * panelHeight);
        using (var canvas = new SkiaSharp.SKCanvas(sheet))
        {
            canvas.Clear(SkiaSharp.SKColors.White);
            for (var i = 0; i < panels.Count; i++)
            {
                using var panel = SkiaSharp.SKBitmap.Decode(panels[i]);
                canvas.DrawBitmap(panel, i % columns * panelWidth, i / columns * panelHeight);
            }
        }
        using var image = SkiaSharp.SKImage.FromBitmap(sheet);
        using var png = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return ReportImages.Write(png.ToArray(), path);
    }

    // Pooled over classes: the model's density is the mixture of the classes' (equal weight, as the classes are drawn);
    // the data's band is the count-weighted mixture's mean ± 1.645 std (5th–95th percentile of a normal).
    private static byte[] DistributionPanel(string title, string transform, IReadOnlyList<AttributePoint> points, IReadOnlyList<VariabilityPoint> data,
        int width, int height, bool legend)
    {
        var plot = new Plot();
        var byAlpha = points.GroupBy(p => p.Alpha).OrderBy(g => g.Key).ToList();
        var band = DataBand(data);
        var low = points.Select(p => p.Mean - 3 * p.Std).Append(band?.Low ?? double.PositiveInfinity).Min();
        var high = points.Select(p => p.Mean + 3 * p.Std).Append(band?.High ?? double.NegativeInfinity).Max();
        if (!(double.IsFinite(low) && double.IsFinite(high) && high > low))
        {
            (low, high) = (low - 1, low + 1);
        }
        if (band is { } b)
        {
            var span = plot.Add.HorizontalSpan(b.Low, b.High);
            span.FillStyle.Color = Colors.Gray.WithAlpha(0.25);
            span.LegendText = b.Label;
            var mean = plot.Add.VerticalLine(b.Mean);
            mean.Color = Colors.Black;
            mean.LinePattern = LinePattern.Dashed;
        }
        var xs = Enumerable.Range(0, 121).Select(i => low + (high - low) * i / 120).ToArray();
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (var a = 0; a < byAlpha.Count; a++)
        {
            var members = byAlpha[a].ToList();
            var ys = xs.Select(x => members.Average(m => NormalDensity(x, m.Mean, m.Std, high - low))).ToArray();
            var curve = plot.Add.Scatter(xs, ys);
            curve.MarkerSize = 0;
            curve.Color = colormap.GetColor(byAlpha.Count > 1 ? (double)a / (byAlpha.Count - 1) : 0);
            // Only the grid's ends in the legend: the colour runs from the lowest α to the highest.
            curve.LegendText = a == 0 || a == byAlpha.Count - 1 ? $"α = {G(byAlpha[a].Key)}" : "";
        }
        plot.Title(title, size: 12);
        plot.XLabel(points.Count > 0 ? points[0].Attribute : "attribute", size: 11);
        plot.YLabel("density", size: 11);
        // The pooled panel carries the legend for all: inside each small panel it would hide the curves.
        if (legend)
        {
            plot.ShowLegend(Alignment.UpperRight);
        }
        else
        {
            plot.HideLegend();
        }
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    private static (double Low, double High, double Mean, string Label)? DataBand(IReadOnlyList<VariabilityPoint> data)
    {
        var known = data.Where(d => double.IsFinite(d.DataMean) && double.IsFinite(d.DataStd)).ToList();
        if (known.Count == 0)
        {
            return null;
        }
        if (known.Select(d => d.Class).Distinct().Count() == 1 && double.IsFinite(known[0].DataP5) && double.IsFinite(known[0].DataP95))
        {
            return (known[0].DataP5, known[0].DataP95, known[0].DataMean, "data 5–95%");
        }
        var weights = known.Select(d => (double)Math.Max(1, d.DataN)).ToList();
        var total = weights.Sum();
        var mean = known.Select((d, i) => weights[i] * d.DataMean).Sum() / total;
        var second = known.Select((d, i) => weights[i] * (d.DataStd * d.DataStd + d.DataMean * d.DataMean)).Sum() / total;
        var std = Math.Sqrt(Math.Max(0, second - mean * mean));
        return (mean - 1.645 * std, mean + 1.645 * std, mean, "data mean ± 1.645 std");
    }

    // A std of 0 (every sample alike) is drawn as a narrow spike 1/200 of the axis wide rather than dropped.
    private static double NormalDensity(double x, double mean, double std, double range)
    {
        var s = Math.Max(std, range / 200);
        var u = (x - mean) / s;
        return Math.Exp(-0.5 * u * u) / (s * Math.Sqrt(2 * Math.PI));
    }

    /// <summary>Least-squares line y = slope·x + intercept; null with fewer than two distinct x.</summary>
    public static (double Slope, double Intercept)? FitLine(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        if (xs.Count < 2)
        {
            return null;
        }
        var (mx, my) = (xs.Average(), ys.Average());
        var sxx = xs.Sum(x => (x - mx) * (x - mx));
        if (sxx <= 0)
        {
            return null;
        }
        var slope = xs.Select((x, i) => (x - mx) * (ys[i] - my)).Sum() / sxx;
        return (slope, my - slope * mx);
    }

    private static string F3(double value) => double.IsFinite(value) ? value.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "—";

    private static string G(double value) => double.IsFinite(value) ? value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) : "—";
}
