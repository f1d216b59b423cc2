using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Worker;
using System.ComponentModel;
using Akka.Actor;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer node --seed HOST:P --device D`: one worker per device, pulling trials from the coordinator.</summary>
public sealed class NodeCommand(IAnsiConsole console) : AsyncCommand<NodeCommand.Settings>
{
    public sealed class Settings : ClusterProcessSettings
    {
        [CommandOption("--seed <HOST:PORT>")]
        [Description("The coordinator's address (repeat for several seeds)")]
        public string[] Seeds { get; init; } = [];

        [CommandOption("--device <DEVICE>")]
        [Description("Device to run trials on: cpu, cuda, cuda:N; repeat for one worker per device (default: cpu)")]
        public string[] Devices { get; init; } = [];

        [CommandOption("--hostname <HOST>")]
        [Description("Address to bind (default: 127.0.0.1)")]
        public string? Hostname { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("Port to listen on (default: a free one)")]
        public int? Port { get; init; }

        [CommandOption("--insecure")]
        [Description("Allow binding a non-loopback address without TLS (a network you trust)")]
        public bool Insecure { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        if (settings.Seeds.Length == 0)
        {
            throw new InputException("--seed: missing; accepted: the coordinator's HOST:PORT, e.g. --seed 127.0.0.1:4053");
        }
        var seeds = settings.Seeds.Select(ClusterCommands.ParseSeed).ToList();
        var devices = settings.Devices.Length == 0 ? ["cpu"] : settings.Devices;
        foreach (var device in devices)
        {
            if (!Experiments.Runtime.ComputeDevice.IsValidSpelling(device) || device == "auto")
            {
                throw new InputException($"--device: '{device}' is not a device; accepted: cpu, cuda, cuda:N");
            }
        }
        var runner = TrialRunners.Create(settings.Runner); // the name was checked by ClusterProcessSettings.Validate
        var cluster = SweepConfig.Cluster(settings.Config, ClusterCommands.Overrides(settings.Hostname, settings.Port));
        ClusterTls.CheckExposure(cluster, settings.Insecure);
        var (_, worker) = SweepConfig.Settings(cluster, null, false);
        var liveness = LivenessSettings.From(cluster);
        string? refused = null;
        console.WriteLine($"node: coordinator {string.Join(", ", seeds)}; devices: {string.Join(", ", devices)}");
        // Joins, runs trials until the sweep is complete, rejoins a coordinator that restarted; exit 3 if none answers.
        var code = await NodeSession.RunAsync(() => SweepHost.StartNode(cluster, seeds, runner, devices, worker,
                onRefused: reason => Volatile.Write(ref refused, reason), joinTimeout: liveness.JoinTimeout),
            liveness.JoinTimeout, line => console.WriteLine(line), ct);
        if (Volatile.Read(ref refused) is { } reason)
        {
            throw new InputException($"--runner: the coordinator refused this node: {reason}");
        }
        return code;
    }
}
