using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer status DIR`: trials by status and kind, and the latest errors, from the trials table.</summary>
public sealed class StatusCommand(IAnsiConsole console) : AsyncCommand<SweepDirSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SweepDirSettings settings, CancellationToken ct)
    {
        var sweepDir = SweepFolder.Resolve(settings.Dir);
        if (!File.Exists(TrialsTable.PathIn(sweepDir)))
        {
            console.WriteLine($"{sweepDir}: no trials table yet (the sweep has just started)");
            return 0;
        }
        var summary = await SweepQuery.RunAsync(sweepDir,
            "SELECT kind, status, count(*) AS trials, sum(attempts) AS attempts, round(sum(wall_seconds), 1) AS wall_seconds FROM trials GROUP BY ALL ORDER BY ALL", ct);
        QueryCommand.Print(console, summary);
        var errors = await SweepQuery.RunAsync(sweepDir,
            "SELECT key, transform, walk, regime, attempts, error FROM trials WHERE status = 'failed' ORDER BY key LIMIT 10", ct);
        if (errors.Rows.Count > 0)
        {
            QueryCommand.Print(console, errors);
        }
        return 0;
    }
}
