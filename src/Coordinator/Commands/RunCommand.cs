using Steerability.Coordinator.Cli;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
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
        var session = SweepSession.Prepare(settings, "");
        // Local workers are all there is: a trial none of them can run would wait forever.
        var unfit = session.Plan.Trials.Where(t => !DevicePolicy.Fits(t.Device, settings.Device)).Select(t => t.Device).Distinct().ToList();
        if (unfit.Count > 0)
        {
            throw new InputException($"--device: '{settings.Device}' cannot run this spec's trials, which need device {string.Join(", ", unfit)}; " +
                "accepted: a device the spec allows (or start nodes with `steer coordinator` and `steer node`)");
        }
        var plan = session.Plan;
        return await session.RunAsync(console, settings.NewSweep, "run",
            RunProvenance.Now("steer run", settings.Runner, string.Join(", ", plan.Spec.Models), RunProvenance.PerTrialKeys, settings.Device),
            () => SweepHost.StartEmbedded(plan, session.Coordinator, session.Worker, TrialRunners.Create(settings.Runner), settings.Workers, settings.Device),
            _ => $"sweep {plan.Spec.Name}: {plan.Trials.Count} trials -> {plan.SweepDir}",
            (host, token) => host.WorkersStoppedAsync().WaitAsync(TimeSpan.FromSeconds(10), token).ContinueWith(_ => { }, CancellationToken.None),
            ct);
    }
}
