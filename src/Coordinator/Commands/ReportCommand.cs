using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer report DIR`: DIR/report/index.html with the summary, plots, walk strips and trials of a sweep or demo folder.</summary>
public sealed class ReportCommand(IAnsiConsole console) : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("A sweep folder (results/<sweep>), the --out folder holding one, or a folder holding alpha_metrics.parquet (steer demo --out)")]
        public string Dir { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var data = await ReportDataLoader.LoadAsync(Locate(settings.Dir), settings.Dir, ct);
        var index = ReportWriter.Write(data, ct);
        console.MarkupLineInterpolated($"report: {index}");
        return 0;
    }

    // A folder with its own alpha_metrics is taken as it is; otherwise an --out folder holding exactly one sweep is looked into.
    private static string Locate(string dir)
    {
        if (!Directory.Exists(dir) || SweepQuery.Tables(dir).Contains("alpha_metrics"))
        {
            return dir;
        }
        var sweeps = Directory.EnumerateDirectories(dir).Where(d => File.Exists(Path.Combine(d, SweepFolder.MarkerName))).ToList();
        return sweeps.Count == 1 ? sweeps[0] : dir;
    }
}
