using System.ComponentModel;
using Akka.Actor;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer coordinator SPEC --port P`: the coordinator of a multi-process cluster.</summary>
public sealed class CoordinatorCommand(IAnsiConsole console) : AsyncCommand<CoordinatorCommand.Settings>
{
    public sealed class Settings : SweepRunSettings
    {
        [CommandOption("--port <PORT>")]
        [Description("Port to listen on; nodes join with --seed HOST:PORT (default: cluster.hocon / STEER_PORT)")]
        public int? Port { get; init; }

        [CommandOption("--hostname <HOST>")]
        [Description("Address to bind (default: 127.0.0.1); beyond loopback TLS is required unless --insecure")]
        public string? Hostname { get; init; }

        [CommandOption("--insecure")]
        [Description("Allow binding a non-loopback address without TLS (a network you trust)")]
        public bool Insecure { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var plan = SweepFolder.Plan(settings.Spec, settings.Out, settings.NewSweep);
        var cluster = SweepConfig.Cluster(settings.Config, ClusterCommands.Overrides(settings.Hostname, settings.Port));
        ClusterTls.CheckExposure(cluster, settings.Insecure);
        var (coordinator, _) = SweepConfig.Settings(cluster, settings.MaxRetries, settings.FailFast);
        coordinator = coordinator with { Ledger = coordinator.Ledger with { Runner = settings.Runner }, Liveness = LivenessSettings.From(cluster) };
        using var sweepLock = SweepFolderOpening.Open(plan, settings.NewSweep, "coordinator");
        RunProvenance.Now("steer coordinator", RunProvenance.RunnerPerNode, string.Join(", ", plan.Spec.Models), RunProvenance.PerTrialKeys, "each node's --device (see the trials table)")
            .Write(plan.SweepDir);
        await using var host = SweepHost.StartCoordinator(plan, cluster, coordinator);
        console.WriteLine($"coordinator for sweep {plan.Spec.Name} ({plan.Trials.Count} trials) at {host.Address}; " +
            $"start nodes with: steer node --seed {host.Address.Host}:{host.Address.Port} --device cpu");
        var status = await SweepProgress.FollowAsync(host, console, ct);
        // Give nodes time to hear that the sweep is complete and leave before this seed goes away.
        var members = Akka.Cluster.Cluster.Get(host.System);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && members.State.Members.Any(m => m.HasRole(SweepHost.GpuRole) && m.Status == Akka.Cluster.MemberStatus.Up))
        {
            await Task.Delay(200, ct);
        }
        // Nodes still up after that are told nothing more; they leave when they lose this coordinator (join-timeout).
        return await RunCommand.Finish(console, status, plan.SweepDir, ct);
    }
}
