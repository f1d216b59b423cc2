using Steerability.GpuNode.Contract;
using Akka.Actor;
using Akka.Configuration;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Worker;

/// <summary>
/// A node's actor system: a cluster member with role `gpu` and one worker per device, pulling trials from the
/// coordinator singleton through its proxy.
/// </summary>
public sealed class NodeHost
{
    private NodeHost(ActorSystem system, IActorRef coordinator, IReadOnlyList<IActorRef> workers)
    {
        System = system;
        Coordinator = coordinator;
        Workers = workers;
    }

    public ActorSystem System { get; }

    /// <summary>The proxy to the coordinator singleton.</summary>
    public IActorRef Coordinator { get; }

    public IReadOnlyList<IActorRef> Workers { get; }

    /// <summary>The cluster address this member listens on (with the real port when started on port 0).</summary>
    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>Starts a member with one worker per device and joins <paramref name="seeds"/>.</summary>
    /// <param name="config">The member's settings (cluster.hocon with its overrides, and the message serializers).</param>
    /// <param name="createSystem">Creates the actor system from the settings (the coordinator's side sets up TLS here).</param>
    /// <param name="onRefused">Called with the reason when the coordinator refuses a worker (e.g. another runner).</param>
    /// <remarks>
    /// With <paramref name="joinTimeout"/>, the actor system terminates itself when it has not joined within that time
    /// (Akka's shutdown-after-unsuccessful-join-seed-nodes), so a node without a coordinator does not wait forever.
    /// </remarks>
    public static NodeHost Start(Config config, Func<Config, ActorSystem> createSystem, IReadOnlyList<Address> seeds,
        ITrialRunner runner, IReadOnlyList<string> devices, WorkerSettings settings, string? name = null,
        Action<string>? onRefused = null, TimeSpan? joinTimeout = null)
    {
        var join = joinTimeout is { } timeout
            ? $"akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = {(long)timeout.TotalMilliseconds}ms"
            : "";
        var system = createSystem(ConfigurationFactory.ParseString($"akka.cluster.roles = [{ClusterRoles.Gpu}]\n{join}")
            .WithFallback(config));
        var self = Akka.Cluster.Cluster.Get(system);
        self.JoinSeedNodes(seeds);
        var proxy = ClusterRoles.CoordinatorProxy(system);
        var node = name ?? $"{Environment.MachineName}:{self.SelfAddress.Port}";
        var workers = devices
            .Select((device, i) => system.ActorOf(TrialWorker.Props(proxy, runner, node, device, settings, onRefused), $"worker-{i + 1}"))
            .ToList();
        return new NodeHost(system, proxy, workers);
    }

    /// <summary>Waits until every worker has stopped (they stop when told the sweep is complete, or with the member).</summary>
    public Task WorkersStoppedAsync() => Task.WhenAll(Workers.Select(w => w.WatchAsync()));
}
