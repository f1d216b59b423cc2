using Spectre.Console;
using Steerability.Experiments.Studies;

namespace Steerability.Coordinator.Cli;

/// <summary>Prints alpha_metrics rows as a table: walk and no-walk error per α, and how much the walk removes.</summary>
public static class MetricsTable
{
    public static void Write(IAnsiConsole console, string title, IEnumerable<WalkMetricRecord> rows)
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Simple);
        var shown = rows.ToList();
        // Colour has a second, labelled evaluation (one channel at a time): its column appears when the rows hold it.
        var evaluations = shown.Select(r => r.Evaluation).Distinct().Count() > 1;
        foreach (var column in (evaluations ? new[] { "evaluation" } : []).Concat(["class", "alpha", "l2_mean", "l2_std", "baseline_l2_mean", "reduction", "n"]))
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }
        foreach (var row in shown)
        {
            string[] cells = [Markup.Escape(row.Class), row.Alpha.ToString("G4"), row.L2Mean.ToString("F4"), row.L2Std.ToString("F4"),
                row.BaselineL2Mean.ToString("F4"), Reduction(row), row.N.ToString()];
            table.AddRow(evaluations ? [Markup.Escape(row.Evaluation), .. cells] : cells);
        }
        console.Write(table);
    }

    /// <summary>
    /// Below this no-walk error the edit did not change the image (the identity α, or a full turn of rotate3d, which
    /// leaves resampling noise of about 1e-17): a share of it means nothing, and printed as -1329168971081692%.
    /// </summary>
    public const double NegligibleBaseline = 1e-6;

    /// <summary>1 − walk/baseline as a percentage; "— (baseline ≈ 0)" where the edit left the image as it was.</summary>
    public static string Reduction(WalkMetricRecord row) =>
        row.BaselineL2Mean > NegligibleBaseline ? $"{100 * (1 - row.L2Mean / row.BaselineL2Mean):F0}%" : row.BaselineL2Mean == 0 ? "—" : "— (baseline ≈ 0)";
}
