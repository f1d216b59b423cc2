using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer run SPEC`: coordinator and local workers in one process; running it again resumes.</summary>
public sealed class RunCommand(IAnsiConsole console) : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : SweepRunSettings
    {
        [CommandOption("--workers <N>")]
        [Description("Local workers (default: 1)")]
        public int Workers { get; init; } = 1;

        [CommandOption("--device <DEVICE>")]
        [Description("Device of the local workers: cpu, cuda, cuda:N (default: cpu)")]
        public string Device { get; init; } = "cpu";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        if (settings.Workers < 1)
        {
            throw new InputException($"--workers: '{settings.Workers}' is too few; accepted: 1 or more");
        }
        var plan = SweepFolder.Plan(settings.Spec, settings.Out, settings.NewSweep);
        var config = SweepConfig.Cluster(settings.Config, "");
        var (coordinator, worker) = SweepConfig.Settings(config, settings.MaxRetries, settings.FailFast);
        coordinator = coordinator with { Liveness = LivenessSettings.From(config) };
        // Local workers are all there is: a trial none of them can run would wait forever.
        var unfit = plan.Trials.Where(t => !DevicePolicy.Fits(t.Device, settings.Device)).Select(t => t.Device).Distinct().ToList();
        if (unfit.Count > 0)
        {
            throw new InputException($"--device: '{settings.Device}' cannot run this spec's trials, which need device {string.Join(", ", unfit)}; " +
                "accepted: a device the spec allows (or start nodes with `steer coordinator` and `steer node`)");
        }
        using var sweepLock = SweepFolderOpening.Open(plan, settings.NewSweep, "run");
        RunProvenance.Now("steer run", settings.Runner, string.Join(", ", plan.Spec.Models), RunProvenance.PerTrialKeys, settings.Device).Write(plan.SweepDir);
        console.WriteLine($"sweep {plan.Spec.Name}: {plan.Trials.Count} trials -> {plan.SweepDir}");
        await using var host = SweepHost.StartEmbedded(plan, coordinator, worker, TrialRunners.Create(settings.Runner),
            settings.Workers, settings.Device);
        var status = await SweepProgress.FollowAsync(host, console, ct);
        await host.WorkersStoppedAsync().WaitAsync(TimeSpan.FromSeconds(10), ct).ContinueWith(_ => { });
        return await Finish(console, status, plan.SweepDir, ct);
    }

    /// <summary>Prints how the sweep ended and writes its report (when it has results), then gives the exit code.</summary>
    internal static async Task<int> Finish(IAnsiConsole console, SweepStatus status, string sweepDir, CancellationToken ct)
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
