using Steerability.Coordinator.Cli;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
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
        var session = SweepSession.Prepare(settings, ClusterCommands.Overrides(settings.Hostname, settings.Port));
        ClusterTls.CheckExposure(session.Config, settings.Insecure);
        var plan = session.Plan;
        return await session.RunAsync(console, settings.NewSweep, "coordinator",
            RunProvenance.Now("steer coordinator", RunProvenance.RunnerPerNode, string.Join(", ", plan.Spec.Models), RunProvenance.PerTrialKeys,
                "each node's --device (see the trials table)"),
            () => SweepHost.StartCoordinator(plan, session.Config, session.Coordinator),
            host => $"coordinator for sweep {plan.Spec.Name} ({plan.Trials.Count} trials) at {host.Address}; " +
                $"start nodes with: steer node --seed {host.Address.Host}:{host.Address.Port} --device cpu",
            NodesLeftAsync, ct);
    }

    /// <summary>
    /// Gives nodes time to hear that the sweep is complete and leave before this seed goes away. Nodes still up after
    /// that are told nothing more; they leave when they lose this coordinator (join-timeout).
    /// </summary>
    private static async Task NodesLeftAsync(SweepHost host, CancellationToken ct)
    {
        var members = Akka.Cluster.Cluster.Get(host.System);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && members.State.Members.Any(m => m.HasRole(SweepHost.GpuRole) && m.Status == Akka.Cluster.MemberStatus.Up))
        {
            await Task.Delay(200, ct);
        }
    }
}
