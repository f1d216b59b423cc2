using System.Globalization;
using System.Net;
using System.Text;
using Steerability.Experiments.Training;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Reports;

/// <summary>Writes DIR/report/index.html and its images beside it, so the page opens from disk without a server.</summary>
public static class ReportWriter
{
    public const string ReportFolder = "report";
    public const string IndexFile = "index.html";

    /// <summary>
    /// Writes the report for loaded data and returns the path of index.html. <paramref name="cancel"/> is observed
    /// between sections: a stopped report leaves the previous index.html (written whole, by rename) as it was.
    /// </summary>
    public static string Write(ReportData data, CancellationToken cancel = default)
    {
        var reportDir = Path.Combine(data.Folder, ReportFolder);
        Directory.CreateDirectory(reportDir);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Steerability report</title>\n<style>\n")
            .Append("body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}td.n{text-align:right}img{max-width:100%}\n")
            .Append(ExplorerSection.Style)
            .Append("</style>\n</head>\n<body>\n");
        ProvenanceSection.Write(html, data);
        html.Append("<p>Folder: <code>").Append(Encode(data.Folder)).Append("</code></p>\n");
        WriteSummary(html, data);
        ExplorerSection.Write(html, data, reportDir, cancel);
        var strips = CopyStrips(data, reportDir);
        var placed = new HashSet<StripImage>();
        var transforms = data.Transforms;
        for (var t = 0; t < transforms.Count; t++)
        {
            cancel.ThrowIfCancellationRequested();
            var transform = transforms[t];
            html.Append("<h2>").Append(Encode(transform)).Append("</h2>\n");
            var plotFile = ReportPlots.DrawL2(Path.Combine(reportDir, $"l2-{t}-{SafeName(transform)}.png"), transform, data.Curves.Where(c => c.Transform == transform).ToList());
            AppendFigure(html, "l2", plotFile, $"masked L2 vs α for {transform}",
                "Masked L2 between G(z + αw) and edit(G(z), α), each walk solid against its own no-walk baseline (dashed), classes pooled" +
                (data.ChannelCurves.Any(c => c.Transform == transform) ? "; every walk dimension moved by the same α (evaluation equal: all three channels, the paper's figure)." : "."));
            WriteChannelEvaluation(html, data, transform, t, reportDir);
            WriteAttributes(html, data, transform, t, reportDir);
            WriteVariability(html, data, transform, t, reportDir);
            WriteRemedies(html, data, transform, t, reportDir);
            foreach (var (strip, file) in strips.Where(s => BelongsTo(s.Strip, transform)))
            {
                placed.Add(strip);
                html.Append("<h3>Walk strip: ").Append(Encode(StripTitle(strip))).Append("</h3>\n")
                    .Append("<p>Per class two rows across the α grid: G(z + αw) and, beneath it, the target edit(G(z), α). From <code>")
                    .Append(Encode(strip.RelativePath)).Append("</code>.</p>\n");
                AppendImage(html, file, $"walk strip {strip.RelativePath}");
            }
        }
        var unplaced = strips.Where(s => !placed.Contains(s.Strip)).ToList();
        if (unplaced.Count > 0)
        {
            html.Append("<h2>Walk strips</h2>\n");
            foreach (var (strip, file) in unplaced)
            {
                html.Append("<h3>").Append(Encode(strip.RelativePath)).Append("</h3>\n");
                AppendImage(html, file, $"walk strip {strip.RelativePath}");
            }
        }
        WriteTrials(html, data);
        html.Append("</body>\n</html>\n");
        cancel.ThrowIfCancellationRequested();
        var index = Path.Combine(reportDir, IndexFile);
        AtomicFile.WriteAllText(index, html.ToString());
        return index;
    }

    private static void WriteSummary(StringBuilder html, ReportData data)
    {
        var showModel = data.Summary.Select(s => s.Model).Distinct().Count() > 1;
        html.Append("<h2>Summary</h2>\n<ul id=\"findings\">\n");
        foreach (var line in ReportFindings.Describe(data))
        {
            html.Append("<li>").Append(Encode(line)).Append("</li>\n");
        }
        html.Append("</ul>\n<p>Mean reduction of the walk's masked L2 below the no-walk baseline over the α of the grid where the edit changes the image, ")
            .Append("classes pooled (class <code>all</code>); positive means the walk gets closer to the edit than not walking.</p>\n")
            .Append("<table id=\"summary\">\n<tr>").Append(showModel ? "<th>model</th>" : "")
            .Append("<th>transform</th><th>walk</th><th>regime</th><th>α compared</th><th>mean reduction</th><th>relative</th></tr>\n");
        foreach (var row in data.Summary)
        {
            html.Append("<tr>").Append(showModel ? Cell(row.Model) : "")
                .Append(Cell(row.Transform)).Append(Cell(row.Walk)).Append(Cell(row.Regime))
                .Append(NumberCell(row.AlphaCount.ToString(CultureInfo.InvariantCulture)))
                .Append(NumberCell(FormatReduction(row.MeanReduction)))
                .Append(NumberCell(FormatRelative(row.MeanRelativeReduction)))
                .Append("</tr>\n");
        }
        html.Append("</table>\n");
    }

    /// <summary>How the summary shows an absolute reduction (tests look for this text).</summary>
    public static string FormatReduction(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    /// <summary>How the summary shows a reduction relative to the baseline, as a percentage.</summary>
    public static string FormatRelative(double value) => (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static void WriteAttributes(StringBuilder html, ReportData data, string transform, int t, string reportDir)
    {
        var groups = data.Attributes.Where(a => a.Transform == transform)
            .GroupBy(a => (a.Model, a.Walk, a.Regime))
            .OrderBy(g => g.Key.Walk, StringComparer.Ordinal).ThenBy(g => g.Key.Regime, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .ToList();
        var showModel = groups.Select(g => g.Key.Model).Distinct().Count() > 1;
        for (var g = 0; g < groups.Count; g++)
        {
            var (model, walk, regime) = groups[g].Key;
            var title = $"{transform} / {walk} ({regime}{(showModel ? ", " + model : "")}): {groups[g].First().Attribute} of G(z + αw) vs α";
            html.Append("<h3>").Append(Encode(title)).Append("</h3>\n");
            var file = $"attribute-{t}-{g}-{SafeName(walk)}.png";
            file = ReportPlots.DrawAttributes(Path.Combine(reportDir, file), title, transform, groups[g].ToList());
            AppendImage(html, file, title);
            var attribute = groups[g].First().Attribute;
            var distributionTitle = $"{transform} / {walk} ({regime}{(showModel ? ", " + model : "")}): distribution of {attribute} across α";
            var distributionFile = $"distribution-{t}-{g}-{SafeName(walk)}.png";
            distributionFile = ReportPlots.DrawDistributions(Path.Combine(reportDir, distributionFile), distributionTitle, transform, groups[g].ToList(),
                data.Variability.Where(v => v.Model == model && v.Transform == transform && v.Walk == walk && v.Regime == regime && v.Attribute == attribute).ToList());
            AppendFigure(html, "distribution", distributionFile, distributionTitle,
                "The model's samples G(z'(α)): per α a normal density with the measured mean and std over latents (the tables keep those two moments), " +
                "coloured from the lowest α (dark) to the highest (yellow); grey: the data's band (per class its 5th–95th percentile, pooled the mixture's mean ± 1.645 std), " +
                "dashed: the data's mean. First panel: classes pooled; then one panel per class.");
        }
    }

    // The second, labelled table of an edit with several walk vectors (color): one channel moved at a time.
    private static void WriteChannelEvaluation(StringBuilder html, ReportData data, string transform, int t, string reportDir)
    {
        var points = data.ChannelCurves.Where(c => c.Transform == transform).ToList();
        if (points.Count == 0)
        {
            return;
        }
        var title = $"{transform}: evaluated one channel at a time";
        html.Append("<h3>").Append(Encode(title)).Append("</h3>\n");
        var file = ReportPlots.DrawL2(Path.Combine(reportDir, $"l2-channels-{t}-{SafeName(transform)}.png"), transform,
            points.Select(p => p with { Walk = $"{p.Walk}, {p.Evaluation}" }).ToList());
        AppendFigure(html, "l2-channels", file, title,
            "The same walks with α moving one channel (evaluation red, green or blue; the others left at 0): alpha_metrics rows whose evaluation is not equal.");
        html.Append("<table class=\"channels\">\n<tr><th>walk</th><th>regime</th><th>evaluation</th><th>α compared</th><th>mean reduction</th><th>relative</th></tr>\n");
        foreach (var group in points.GroupBy(p => p.Evaluation).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var row in ReportDataLoader.Summarise(group))
            {
                html.Append("<tr>").Append(Cell(row.Walk)).Append(Cell(row.Regime)).Append(Cell(group.Key))
                    .Append(NumberCell(row.AlphaCount.ToString(CultureInfo.InvariantCulture)))
                    .Append(NumberCell(FormatReduction(row.MeanReduction)))
                    .Append(NumberCell(FormatRelative(row.MeanRelativeReduction)))
                    .Append("</tr>\n");
            }
        }
        html.Append("</table>\n");
    }

    private static void WriteVariability(StringBuilder html, ReportData data, string transform, int t, string reportDir)
    {
        var groups = data.Variability.Where(v => v.Transform == transform)
            .GroupBy(v => (v.Model, v.Walk, v.Regime))
            .OrderBy(g => g.Key.Walk, StringComparer.Ordinal).ThenBy(g => ReportPlots.RegimeOrder(g.Key.Regime)).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .ToList();
        for (var g = 0; g < groups.Count; g++)
        {
            var (model, walk, regime) = groups[g].Key;
            var title = $"{transform} / {walk}{(regime == TrainingRegimes.Plain.Name ? "" : $" ({regime})")}: dataset spread vs model spread";
            html.Append("<h3>").Append(Encode(title)).Append("</h3>\n");
            var file = $"variability-{t}-{g}-{SafeName(walk)}.png";
            var correlations = data.Correlations.Where(c => c.Transform == transform && c.Walk == walk && c.Model == model && c.Regime == regime).ToList();
            // A class the limit leaves out (its attribute is not defined) is no point of the correlation, so none of the scatter.
            var correlated = groups[g].Where(v => v.Note is null).ToList();
            file = ReportPlots.DrawVariability(Path.Combine(reportDir, file), title, correlated, correlations);
            AppendFigure(html, "variability", file, title,
                "Per class (labelled): dataset variability against the model's limit, the least-squares line dashed, the correlation's r, p and ρ in the legend.");
            WriteLimitStatement(html, correlations, groups[g].Where(v => v.Note is not null).ToList());
            if (correlations.Count == 0)
            {
                html.Append("<p>No correlation row for this walk.</p>\n");
                continue;
            }
            html.Append("<ul>\n");
            foreach (var c in correlations)
            {
                html.Append("<li>").Append(Encode(c.Regime)).Append(": r = ").Append(c.R.ToString("F3", CultureInfo.InvariantCulture))
                    .Append(", p = ").Append(c.P.ToString("G3", CultureInfo.InvariantCulture))
                    .Append(", ρ = ").Append(c.Rho.ToString("F3", CultureInfo.InvariantCulture))
                    .Append(", n = ").Append(c.N.ToString(CultureInfo.InvariantCulture)).Append(" classes</li>\n");
            }
            html.Append("</ul>\n");
        }
    }

    // What the limit measured, on which α, and which classes it left out and why (a folder before schema version 3 states none).
    private static void WriteLimitStatement(StringBuilder html, IReadOnlyList<CorrelationEntry> correlations, IReadOnlyList<VariabilityPoint> leftOut)
    {
        var stated = correlations.FirstOrDefault(c => c.Attribute.Length > 0);
        if (stated is null && leftOut.Count == 0)
        {
            return;
        }
        html.Append("<p class=\"limit\">");
        if (stated is not null)
        {
            html.Append("Limit measured on ").Append(Encode(stated.Attribute)).Append(" at α = ").Append(Encode(stated.LimitAlphas)).Append(". ");
        }
        var classes = leftOut.GroupBy(v => v.Class).Select(g => $"{g.Key} ({g.First().Note})").ToList();
        html.Append(classes.Count > 0 ? "Classes left out of the correlation: " + Encode(string.Join("; ", classes)) + "." : "No class left out.");
        html.Append("</p>\n");
    }

    // The paper's remedies figure, for each walk run under more than one regime.
    private static void WriteRemedies(StringBuilder html, ReportData data, string transform, int t, string reportDir)
    {
        var groups = data.Curves.Where(c => c.Transform == transform)
            .GroupBy(c => (c.Model, c.Walk))
            .Where(g => g.Select(c => c.Regime).Distinct().Count() > 1)
            .OrderBy(g => g.Key.Walk, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .ToList();
        var showModel = data.Curves.Select(c => c.Model).Distinct().Count() > 1;
        for (var g = 0; g < groups.Count; g++)
        {
            var (model, walk) = groups[g].Key;
            var title = $"{transform} / {walk}{(showModel ? $" [{model}]" : "")}: remedies, masked L2 vs α";
            html.Append("<h3>").Append(Encode(title)).Append("</h3>\n");
            var file = $"remedies-{t}-{g}-{SafeName(walk)}.png";
            file = ReportPlots.DrawRemedies(Path.Combine(reportDir, file), title, transform, groups[g].ToList());
            AppendFigure(html, "remedies", file, title,
                "Masked L2 against α for the regimes on one axis: plain, augmented (G trained on edited data) and joint (G and walk trained together), classes pooled.");
        }
    }

    private static void WriteTrials(StringBuilder html, ReportData data)
    {
        if (data.Trials is null)
        {
            return;
        }
        html.Append("<h2>Trials</h2>\n<table id=\"trials\">\n<tr><th>key</th><th>status</th><th>attempts</th><th>node</th><th>device</th>")
            .Append("<th>wall time (s)</th><th>throughput</th></tr>\n");
        foreach (var trial in data.Trials)
        {
            var throughput = trial.Throughput.ToString("G4", CultureInfo.InvariantCulture) + (trial.ThroughputUnit.Length > 0 ? " " + trial.ThroughputUnit : "");
            html.Append("<tr>").Append(Cell(trial.Key)).Append(Cell(trial.Status))
                .Append(NumberCell(trial.Attempts.ToString(CultureInfo.InvariantCulture)))
                .Append(Cell(trial.Node)).Append(Cell(trial.Device))
                .Append(NumberCell(trial.WallSeconds.ToString("F1", CultureInfo.InvariantCulture)))
                .Append(NumberCell(Encode(throughput)))
                .Append("</tr>\n");
        }
        html.Append("</table>\n");
    }

    /// <summary>Copies each strip into the report folder under a flat name made from its relative path.</summary>
    private static List<(StripImage Strip, string File)> CopyStrips(ReportData data, string reportDir)
    {
        var copied = new List<(StripImage, string)>();
        for (var i = 0; i < data.Strips.Count; i++)
        {
            var strip = data.Strips[i];
            var file = $"strip-{i}-{SafeName(Path.GetDirectoryName(strip.RelativePath) ?? "")}.png";
            File.Copy(strip.SourcePath, Path.Combine(reportDir, file), overwrite: true);
            copied.Add((strip, file));
        }
        return copied;
    }

    // A sweep's strip lies under files/transform=T/walk=W/regime=R/KEY/; a demo's under DIR/<transform>-<walk>/.
    private static string StripTitle(StripImage strip)
    {
        var parts = strip.RelativePath.Split(Path.DirectorySeparatorChar);
        string? Part(string name) => parts.FirstOrDefault(p => p.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
        var (transform, walk, regime) = (Part("transform"), Part("walk"), Part("regime"));
        return transform is not null && walk is not null
            ? $"{transform} / {walk}{(regime is null ? "" : $" ({regime})")}"
            : Path.GetDirectoryName(strip.RelativePath) is { Length: > 0 } folder ? folder : strip.RelativePath;
    }

    // `steer demo` writes DIR/<transform>-<walk>/walk_strip.png; a Hive path has a transform=<name> folder.
    private static bool BelongsTo(StripImage strip, string transform) =>
        strip.RelativePath.Split(Path.DirectorySeparatorChar)
            .Any(part => part == transform || part == $"transform={transform}" || part.StartsWith(transform + "-", StringComparison.Ordinal));

    // A figure of the paper: data-figure names which one, for readers and the browser test.
    private static void AppendFigure(StringBuilder html, string kind, string file, string alt, string caption) =>
        html.Append("<figure class=\"paper-figure\" data-figure=\"").Append(kind).Append("\"><img src=\"").Append(Uri.EscapeDataString(file))
            .Append("\" alt=\"").Append(Encode(alt)).Append("\"><figcaption>").Append(Encode(caption)).Append("</figcaption></figure>\n");

    private static void AppendImage(StringBuilder html, string file, string alt) =>
        html.Append("<p><img src=\"").Append(Uri.EscapeDataString(file)).Append("\" alt=\"").Append(Encode(alt)).Append("\"></p>\n");

    private static string Cell(string text) => "<td>" + Encode(text) + "</td>";

    private static string NumberCell(string encoded) => "<td class=\"n\">" + encoded + "</td>";

    internal static string Encode(string text) => WebUtility.HtmlEncode(text);

    // File names come from data: anything other than letters, digits, '-' and '_' becomes '_', and a leading index keeps them apart.
    internal static string SafeName(string text)
    {
        var safe = new string(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        return safe.Length > 40 ? safe[..40] : safe;
    }
}
