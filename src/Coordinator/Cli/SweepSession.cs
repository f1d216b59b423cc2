using Steerability.Coordinator.Commands;
using Steerability.GpuNode.Worker;
using Akka.Configuration;
using Spectre.Console;
using Steerability.Coordinator.Reports;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Cli;

/// <summary>
/// A sweep as `steer run` and `steer coordinator` run it, from start-up to exit code: the plan and its settings, the
/// folder opened (<see cref="SweepFolderOpening"/>), the provenance, the host, the progress and the report. The two
/// commands differ only in the host they start, what they check before and what they wait for after.
/// </summary>
public sealed class SweepSession
{
    private SweepSession(SweepPlan plan, Config config, CoordinatorSettings coordinator, WorkerSettings worker)
    {
        Plan = plan;
        Config = config;
        Coordinator = coordinator;
        Worker = worker;
    }

    public SweepPlan Plan { get; }

    /// <summary>The cluster settings (the file given or found, with the command's overrides and the STEER_* variables).</summary>
    public Config Config { get; }

    /// <summary>The coordinator's settings: the sweep takes results of the command's --runner only.</summary>
    public CoordinatorSettings Coordinator { get; }

    public WorkerSettings Worker { get; }

    /// <summary>Plans the sweep of the spec and reads the settings; nothing is written yet.</summary>
    public static SweepSession Prepare(SweepRunSettings settings, string clusterOverrides)
    {
        var plan = SweepFolder.Plan(settings.Spec, settings.Out, settings.NewSweep);
        var config = SweepConfig.Cluster(settings.Config, clusterOverrides);
        var (coordinator, worker) = SweepConfig.Settings(config, settings.MaxRetries, settings.FailFast);
        coordinator = coordinator with
        {
            Ledger = coordinator.Ledger with { Runner = settings.Runner },
            Liveness = LivenessSettings.From(config),
        };
        return new SweepSession(plan, config, coordinator, worker);
    }

    /// <summary>
    /// Opens the sweep folder (held until the end), writes <paramref name="provenance"/>, starts the host, prints
    /// <paramref name="started"/>, follows the sweep to its end, lets <paramref name="ending"/> wait for the workers,
    /// and reports how it ended.
    /// </summary>
    public async Task<int> RunAsync(IAnsiConsole console, bool newSweep, string command, RunProvenance provenance,
        Func<SweepHost> start, Func<SweepHost, string> started, Func<SweepHost, CancellationToken, Task> ending, CancellationToken ct)
    {
        using var sweepLock = SweepFolderOpening.Open(Plan, newSweep, command);
        provenance.Write(Plan.SweepDir);
        await using var host = start();
        console.WriteLine(started(host));
        var status = await SweepProgress.FollowAsync(host, console, ct);
        await ending(host, ct);
        return await FinishAsync(console, status, Plan.SweepDir, ct);
    }

    /// <summary>Prints how the sweep ended and writes its report (when it has results), then gives the exit code.</summary>
    private static async Task<int> FinishAsync(IAnsiConsole console, SweepStatus status, string sweepDir, CancellationToken ct)
    {
        console.WriteLine($"{SweepProgress.Line(status, TimeSpan.Zero)}{(status.AbortReason.Length > 0 ? "; stopped: " + status.AbortReason : "")}");
        foreach (var error in status.RecentErrors.TakeLast(5))
        {
            console.WriteLine($"  error: {error}");
        }
        console.WriteLine($"results: {sweepDir}");
        if (Results.SweepQuery.Tables(sweepDir).Contains("alpha_metrics"))
        {
            await ReportStep.WriteAsync(console, sweepDir, ct);
        }
        else
        {
            console.WriteLine("report: none yet (no trial has written alpha_metrics)");
        }
        return status.Succeeded ? 0 : 1;
    }
}
