using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Pattern;
using Steerability.GpuNode.Trials;
using Steerability.GpuNode.Workers;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Starts the actor systems of a sweep: embedded (coordinator and workers in one process, no network), a cluster
/// coordinator (singleton on role `coordinator`, journal in SQLite), or a cluster node (role `gpu`, one worker per
/// device, pulling work through the singleton proxy).
/// </summary>
public sealed class SweepHost : IAsyncDisposable
{
    public const string CoordinatorRole = "coordinator";
    public const string GpuRole = "gpu";

    private SweepHost(ActorSystem system, IActorRef coordinator, IReadOnlyList<IActorRef> workers)
    {
        System = system;
        Coordinator = coordinator;
        Workers = workers;
    }

    public ActorSystem System { get; }

    /// <summary>The coordinator (embedded) or the singleton proxy (cluster).</summary>
    public IActorRef Coordinator { get; }

    public IReadOnlyList<IActorRef> Workers { get; }

    /// <summary>Coordinator and <paramref name="workers"/> local workers in one process, without any networking.</summary>
    public static SweepHost StartEmbedded(SweepPlan plan, CoordinatorSettings coordinator, WorkerSettings worker,
        ITrialRunner runner, int workers, string device, Config? journal = null)
    {
        var config = SweepConfig.Common()
            .WithFallback(journal ?? SweepConfig.SqliteJournal(plan.LedgerPath))
            .WithFallback(SweepConfig.Local());
        var system = ActorSystem.Create(SweepConfig.SystemName, config);
        // The sweep takes the results of the runner its workers run, and no other.
        coordinator = coordinator with { Ledger = coordinator.Ledger with { Runner = runner.Name } };
        var coordinatorRef = system.ActorOf(SweepCoordinator.Props(plan, coordinator), "coordinator");
        var workerRefs = Enumerable.Range(1, workers)
            .Select(i => system.ActorOf(TrialWorker.Props(coordinatorRef, runner, $"local{i}", device, worker), $"worker-{i}"))
            .ToList();
        return new SweepHost(system, coordinatorRef, workerRefs);
    }

    /// <summary>A cluster member hosting the coordinator singleton; joins <paramref name="seeds"/>, or itself if none.</summary>
    public static SweepHost StartCoordinator(SweepPlan plan, Config cluster, CoordinatorSettings settings, IReadOnlyList<Address>? seeds = null)
    {
        var system = ActorSystem.Create(SweepConfig.SystemName, SweepConfig.Common()
            .WithFallback(SweepConfig.SqliteJournal(plan.LedgerPath))
            .WithFallback(ConfigurationFactory.ParseString($"akka.cluster.roles = [{CoordinatorRole}]"))
            .WithFallback(cluster));
        var self = Akka.Cluster.Cluster.Get(system);
        self.JoinSeedNodes(seeds is { Count: > 0 } ? seeds : [self.SelfAddress]);
        // A journal failure stops the coordinator; the back-off supervisor restarts it, and it recovers from the journal.
        var supervised = BackoffSupervisor.Props(Backoff.OnStop(SweepCoordinator.Props(plan, settings), "ledger",
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1));
        system.ActorOf(ClusterSingletonManager.Props(supervised, PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithRole(CoordinatorRole)), "coordinator");
        return new SweepHost(system, Proxy(system), []);
    }

    /// <summary>A cluster member with one worker per device, pulling trials from the coordinator singleton.</summary>
    /// <param name="onRefused">Called with the reason when the coordinator refuses a worker (e.g. another runner).</param>
    public static SweepHost StartNode(Config cluster, IReadOnlyList<Address> seeds, ITrialRunner runner,
        IReadOnlyList<string> devices, WorkerSettings settings, string? name = null, Action<string>? onRefused = null)
    {
        var system = ActorSystem.Create(SweepConfig.SystemName, SweepConfig.Common()
            .WithFallback(ConfigurationFactory.ParseString($"akka.cluster.roles = [{GpuRole}]"))
            .WithFallback(cluster));
        var self = Akka.Cluster.Cluster.Get(system);
        self.JoinSeedNodes(seeds);
        var proxy = Proxy(system);
        var node = name ?? $"{Environment.MachineName}:{self.SelfAddress.Port}";
        var workers = devices
            .Select((device, i) => system.ActorOf(TrialWorker.Props(proxy, runner, node, device, settings, onRefused), $"worker-{i + 1}"))
            .ToList();
        return new SweepHost(system, proxy, workers);
    }

    /// <summary>The cluster address this member listens on (with the real port when started on port 0).</summary>
    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    public Task<SweepStatus> StatusAsync(bool withLatencies = false, TimeSpan? timeout = null) =>
        Coordinator.Ask<SweepStatus>(new GetSweepStatus(withLatencies), timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>Polls the coordinator until the sweep is finished, reporting each status.</summary>
    public async Task<SweepStatus> WaitForCompletionAsync(Action<SweepStatus>? onStatus, TimeSpan poll, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            SweepStatus? status = null;
            try
            {
                status = await StatusAsync(timeout: TimeSpan.FromSeconds(5));
            }
            catch (AskTimeoutException)
            {
                // The coordinator is recovering or moving; ask again.
            }
            if (status is not null)
            {
                onStatus?.Invoke(status);
                if (status.Finished)
                {
                    return status;
                }
            }
            await Task.Delay(poll, ct);
        }
    }

    /// <summary>Waits until every local worker has stopped (they stop when told the sweep is complete).</summary>
    public Task WorkersStoppedAsync() => Task.WhenAll(Workers.Select(w => w.WatchAsync()));

    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await System.WhenTerminated;
    }

    private static IActorRef Proxy(ActorSystem system) =>
        system.ActorOf(ClusterSingletonProxy.Props("/user/coordinator",
            ClusterSingletonProxySettings.Create(system).WithRole(CoordinatorRole)), "coordinator-proxy");
}
