using Steerability.GpuNode.Worker;
using Steerability.GpuNode.Contract;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Pattern;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Starts the actor systems of a sweep: embedded (coordinator and workers in one process, no network), a cluster
/// coordinator (singleton on role `coordinator`, journal in SQLite), or a cluster node (<see cref="NodeHost"/>, in
/// GpuNode, given this process's serializers and TLS).
/// </summary>
public sealed class SweepHost : IAsyncDisposable
{
    public const string CoordinatorRole = ClusterRoles.Coordinator;
    public const string GpuRole = ClusterRoles.Gpu;

    private SweepHost(ActorSystem system, IActorRef coordinator, IReadOnlyList<IActorRef> workers,
        LivenessSettings? liveness = null, Task<string>? fatal = null)
    {
        System = system;
        Coordinator = coordinator;
        Workers = workers;
        Liveness = liveness ?? LivenessSettings.Default;
        Fatal = fatal ?? new TaskCompletionSource<string>().Task;
    }

    /// <summary>The limits on waits this host keeps (coordinator-timeout for <see cref="WaitForCompletionAsync"/>).</summary>
    public LivenessSettings Liveness { get; }

    /// <summary>Completes with the reason when the coordinator of this process has been given up (its ledger failed).</summary>
    public Task<string> Fatal { get; }

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
        if (config.GetString("akka.persistence.journal.plugin", "") == "akka.persistence.journal.sql")
        {
            LedgerFile.Prepare(plan.LedgerPath);
        }
        var system = ActorSystem.Create(SweepConfig.SystemName, config);
        // The sweep takes the results of the runner its workers run, and no other. Its workers live and die with this
        // process: leases left in the journal by a dead run are failed attempts.
        coordinator = coordinator with { Ledger = coordinator.Ledger with { Runner = runner.Name }, LeasesDieWithProcess = true };
        var fatal = CoordinatorFaults.Start(system, restartsAllowed: 0);
        var coordinatorRef = system.ActorOf(SweepCoordinator.Props(plan, coordinator), "coordinator");
        var workerRefs = Enumerable.Range(1, workers)
            .Select(i => system.ActorOf(TrialWorker.Props(coordinatorRef, runner, $"local{i}", device, worker), $"worker-{i}"))
            .ToList();
        return new SweepHost(system, coordinatorRef, workerRefs, coordinator.Liveness, fatal);
    }

    /// <summary>A cluster member hosting the coordinator singleton; joins <paramref name="seeds"/>, or itself if none.</summary>
    public static SweepHost StartCoordinator(SweepPlan plan, Config cluster, CoordinatorSettings settings, IReadOnlyList<Address>? seeds = null)
    {
        LedgerFile.Prepare(plan.LedgerPath);
        var system = ClusterTls.CreateSystem(SweepConfig.Common()
            .WithFallback(SweepConfig.SqliteJournal(plan.LedgerPath))
            .WithFallback(ConfigurationFactory.ParseString($"akka.cluster.roles = [{CoordinatorRole}]"))
            .WithFallback(cluster));
        var fatal = CoordinatorFaults.Start(system, settings.Liveness.LedgerRestarts);
        var self = Akka.Cluster.Cluster.Get(system);
        self.JoinSeedNodes(seeds is { Count: > 0 } ? seeds : [self.SelfAddress]);
        // A journal failure stops the coordinator; the back-off supervisor restarts it (up to ledger-restarts times),
        // and it recovers from the journal. Past that the command gives up with one line (CoordinatorFaultListener).
        var supervised = BackoffSupervisor.Props(Backoff.OnStop(SweepCoordinator.Props(plan, settings), "ledger",
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: settings.Liveness.LedgerRestarts));
        system.ActorOf(ClusterSingletonManager.Props(supervised, PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(system).WithRole(CoordinatorRole)), "coordinator");
        return new SweepHost(system, ClusterRoles.CoordinatorProxy(system), [], settings.Liveness, fatal);
    }

    /// <summary>A node (<see cref="NodeHost"/>) with this process's serializers and TLS set-up.</summary>
    public static NodeHost StartNode(Config cluster, IReadOnlyList<Address> seeds, ITrialRunner runner,
        IReadOnlyList<string> devices, WorkerSettings settings, string? name = null, Action<string>? onRefused = null,
        TimeSpan? joinTimeout = null) =>
        NodeHost.Start(SweepConfig.Common().WithFallback(cluster), ClusterTls.CreateSystem, seeds, runner, devices, settings,
            name, onRefused, joinTimeout);

    /// <summary>The cluster address this member listens on (with the real port when started on port 0).</summary>
    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    public Task<SweepStatus> StatusAsync(bool withLatencies = false, TimeSpan? timeout = null) =>
        Coordinator.Ask<SweepStatus>(new GetSweepStatus(withLatencies), timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>
    /// Polls the coordinator until the sweep is finished, reporting each status. Throws
    /// <see cref="CoordinatorFailedException"/> when the coordinator is given up (<see cref="Fatal"/>) or has not
    /// answered for `coordinator-timeout`.
    /// </summary>
    public async Task<SweepStatus> WaitForCompletionAsync(Action<SweepStatus>? onStatus, TimeSpan poll, CancellationToken ct)
    {
        var lastAnswer = global::System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (Fatal.IsCompleted)
            {
                throw new CoordinatorFailedException($"the coordinator failed: {Fatal.Result}");
            }
            SweepStatus? status = null;
            try
            {
                var ask = StatusAsync(timeout: TimeSpan.FromSeconds(5));
                await Task.WhenAny(ask, Fatal);
                if (Fatal.IsCompleted)
                {
                    continue;
                }
                status = await ask;
                lastAnswer.Restart();
            }
            catch (AskTimeoutException)
            {
                // The coordinator is recovering or moving; ask again, for coordinator-timeout at most.
                if (lastAnswer.Elapsed >= Liveness.CoordinatorTimeout)
                {
                    throw new CoordinatorFailedException(
                        $"the coordinator has not answered for {Liveness.CoordinatorTimeout.TotalSeconds:0.#} s (coordinator-timeout)");
                }
            }
            if (status is not null)
            {
                onStatus?.Invoke(status);
                if (status.Finished)
                {
                    return status;
                }
            }
            await Task.WhenAny(Task.Delay(poll, ct), Fatal);
        }
    }

    /// <summary>The lease timings of the coordinator (the benchmark).</summary>
    public Task<LeaseTimings> LeaseTimingsAsync() => Coordinator.Ask<LeaseTimings>(new GetLeaseTimings(), TimeSpan.FromSeconds(10));

    /// <summary>Waits until every local worker has stopped (they stop when told the sweep is complete).</summary>
    public Task WorkersStoppedAsync() => Task.WhenAll(Workers.Select(w => w.WatchAsync()));

    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await System.WhenTerminated;
    }
}
