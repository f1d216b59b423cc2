using System.Diagnostics;
using Spectre.Console;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Cli;

/// <summary>
/// Shows a running sweep: a live table (trials done/total, what each worker runs, ETA) on a terminal, and plain log
/// lines when the output is not a terminal (CI logs, files), one per change and at least every 30 s.
/// </summary>
public static class SweepProgress
{
    public static async Task<SweepStatus> FollowAsync(SweepHost host, IAnsiConsole console, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
        {
            SweepStatus? last = null;
            await console.Live(new Markup("starting...")).StartAsync(async live =>
            {
                last = await host.WaitForCompletionAsync(status =>
                {
                    live.UpdateTarget(Table(status, clock.Elapsed));
                    live.Refresh();
                }, TimeSpan.FromMilliseconds(500), ct);
            });
            return last!;
        }
        var printed = "";
        var printedAt = TimeSpan.Zero;
        return await host.WaitForCompletionAsync(status =>
        {
            var line = Line(status, clock.Elapsed);
            if (line != printed || clock.Elapsed - printedAt > TimeSpan.FromSeconds(30))
            {
                console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {line}");
                printed = line;
                printedAt = clock.Elapsed;
            }
        }, TimeSpan.FromMilliseconds(500), ct);
    }

    /// <summary>`12/40 done, 1 failed, 2 running, ETA 00:03:10` (ETA from the pace so far).</summary>
    public static string Line(SweepStatus status, TimeSpan elapsed)
    {
        var finished = status.Done + status.Failed;
        var eta = finished > 0 && finished < status.Total
            ? $", ETA {TimeSpan.FromSeconds(elapsed.TotalSeconds / finished * (status.Total - finished)):hh\\:mm\\:ss}"
            : "";
        var running = status.Running.Count > 0
            ? " | " + string.Join("; ", status.Running.Select(r => $"{r.WorkerId}: {r.Label} {r.Progress:P0}"))
            : "";
        return $"{status.Done}/{status.Total} done, {status.Failed} failed, {status.Running.Count} running{eta}{running}";
    }

    private static Table Table(SweepStatus status, TimeSpan elapsed)
    {
        var table = new Table().Title(Markup.Escape(Line(status, elapsed).Split(" | ")[0]));
        table.AddColumn("worker").AddColumn("trial").AddColumn("attempt").AddColumn("progress").AddColumn("for");
        foreach (var run in status.Running.OrderBy(r => r.WorkerId, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(run.WorkerId), Markup.Escape($"{run.Key} {run.Label}"), run.Attempt.ToString(),
                $"{run.Progress:P0}", $"{run.Running:mm\\:ss}");
        }
        return table;
    }
}
