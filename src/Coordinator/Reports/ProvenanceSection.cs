using System.Text;

namespace Steerability.Coordinator.Reports;

/// <summary>
/// The top of every report: a banner when the tables are not the science (a synthetic or nowork runner, or a folder that
/// does not say what made it), the title, and what made the folder: runner, code and schema versions, generator and
/// checkpoint key, device.
/// </summary>
public static class ProvenanceSection
{
    /// <summary>The banner's text for a folder, or null when the folder's runner trained and evaluated for real.</summary>
    public static string? Banner(ReportData data) => data.Provenance switch
    {
        null => "Provenance unknown: this folder has no provenance.json (written by an older build or by hand), so the report cannot say " +
            "which runner, code or generator made these tables.",
        { Runner: var runner } when RunProvenance.NotScienceRunners.Contains(runner) =>
            $"{runner.ToUpperInvariant()} RUN: these tables were written by the '{runner}' trial runner, which trains and evaluates nothing. " +
            "They test the machinery; their numbers and figures are not results.",
        { Runner: RunProvenance.RunnerPerNode } => "Runner not recorded: each node of this cluster sweep chose its own --runner; " +
            "if any node ran 'synthetic' or 'nowork', some of these tables are not results.",
        _ => null,
    };

    public static void Write(StringBuilder html, ReportData data)
    {
        if (Banner(data) is { } banner)
        {
            html.Append("<div id=\"banner\" role=\"alert\" style=\"background:#b00020;color:#fff;padding:.8em 1em;font-weight:bold;margin-bottom:1em\">")
                .Append(ReportWriter.Encode(banner)).Append("</div>\n");
        }
        html.Append("<h1>Steerability report</h1>\n<table id=\"provenance\">\n");
        var p = data.Provenance;
        Row(html, "made by", p?.Command ?? "unknown");
        Row(html, "runner", p?.Runner ?? "unknown");
        Row(html, "code version (steer)", p?.SteerVersion ?? "unknown");
        Row(html, "trial code version", p?.TrialCodeVersion ?? "unknown");
        Row(html, "generator code version", p?.GeneratorCodeVersion ?? "unknown");
        Row(html, "table schema version", p?.SchemaVersion ?? "unknown");
        Row(html, "generator", p?.Generator ?? string.Join(", ", data.Curves.Select(c => c.Model).Distinct()));
        if (data.Generators.Count > 0)
        {
            foreach (var g in data.Generators)
            {
                Row(html, $"checkpoint key ({g.Model}, {g.Regime})", $"{g.CheckpointKey} (generator trial {g.TrialKey})");
            }
        }
        else
        {
            Row(html, "checkpoint key", p is { CheckpointKey.Length: > 0 } ? p.CheckpointKey : "unknown");
        }
        var devices = data.Trials?.Select(t => t.Device).Where(d => d.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList() ?? [];
        Row(html, "device", devices.Count > 0 ? $"{string.Join(", ", devices)} (trials); asked: {p?.Device ?? "unknown"}" : p?.Device ?? "unknown");
        Row(html, "report written by", RunProvenance.BuildVersion);
        html.Append("</table>\n");
    }

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><th>").Append(ReportWriter.Encode(name)).Append("</th><td>").Append(ReportWriter.Encode(value)).Append("</td></tr>\n");
}
