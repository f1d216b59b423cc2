using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Steerability.Coordinator.Results;
using Steerability.GpuNode.Protocol;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Sweeps;

/// <summary>Timings of the coordinator; `cluster.hocon` documents the defaults.</summary>
/// <param name="TickInterval">How often expired leases are looked for and the trials table refreshed.</param>
/// <param name="TrialsTableInterval">Least time between two rewrites of the trials table during a run.</param>
public sealed record CoordinatorSettings(LedgerOptions Ledger, TimeSpan TickInterval, TimeSpan TrialsTableInterval)
{
    /// <summary>The built-in cluster.hocon's values.</summary>
    public static readonly CoordinatorSettings Default = SweepConfig.Settings(GpuNode.Node.ClusterDefaults.Config, null, false).Coordinator;

    /// <summary>The limits on waits: stalled trials, trials no worker can run, journal failures.</summary>
    public LivenessSettings Liveness { get; init; } = LivenessSettings.Default;

    /// <summary>
    /// True when every worker lives in the coordinator's process (`steer run`): a lease found in the journal at start
    /// belonged to a process that died, so it counts as a failed attempt at once.
    /// </summary>
    public bool LeasesDieWithProcess { get; init; }
}

/// <summary>Asks the coordinator for a <see cref="SweepStatus"/> (local: progress display, tests, benchmark).</summary>
public sealed record GetSweepStatus(bool WithLatencies = false);

/// <summary>A snapshot of the sweep for progress displays and tests.</summary>
public sealed record SweepStatus(int Total, int Done, int Failed, int Leased, int Pending, bool Finished, bool Succeeded,
    IReadOnlyList<RunningTrial> Running, double MeanWallSeconds, int DuplicateResults, string AbortReason,
    IReadOnlyList<TimeSpan> LeaseLatencies, IReadOnlyList<string> RecentErrors);

/// <summary>A trial being run now, by whom, for how long and how far along.</summary>
public sealed record RunningTrial(string Key, string Label, string WorkerId, int Attempt, double Progress, TimeSpan Running);

/// <summary>
/// The sweep's coordinator: a thin persistent shell around <see cref="SweepLedger"/>. It turns worker messages into
/// ledger calls, journals the events the ledger returns before acting on them (a lease is sent only once recorded,
/// so a restarted coordinator never hands the same trial out twice), and replays the journal to resume.
/// </summary>
public sealed class SweepCoordinator : ReceivePersistentActor, IWithTimers
{
    private const string TickTimer = "tick";

    private readonly SweepPlan _plan;
    private readonly CoordinatorSettings _settings;
    private readonly SweepLedger _ledger;
    private readonly ArtifactStore _artifacts;
    private readonly Dictionary<string, IActorRef> _workers = new();
    private readonly Dictionary<string, (IActorRef Worker, WorkRequest Request)> _waiting = new();
    private readonly List<string> _recentErrors = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CoordinatorWatch _watch;
    private bool _announced;
    private bool _tableDirty = true;
    private DateTimeOffset _tableWritten = DateTimeOffset.MinValue;

    public SweepCoordinator(SweepPlan plan, CoordinatorSettings settings)
    {
        _plan = plan;
        _settings = settings;
        _ledger = new SweepLedger(plan.Trials, settings.Ledger, Now);
        _artifacts = new ArtifactStore(plan.ArtifactDir);
        _watch = new CoordinatorWatch(settings.Liveness);

        Recover<ILedgerEvent>(e => _ledger.Apply(e, Now));
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Command<WorkRequest>(OnWorkRequest);
        Command<TrialHeartbeat>(OnHeartbeat);
        Command<TrialFinished>(OnFinished);
        Command<Terminated>(OnTerminated);
        Command<Tick>(_ => OnTick());
        Command<GetSweepStatus>(request => Sender.Tell(Status(request.WithLatencies)));
        Command<GetLeaseTimings>(_ => Sender.Tell(_watch.Timings()));
    }

    public override string PersistenceId => "sweep-" + _plan.SweepId;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SweepPlan plan, CoordinatorSettings settings) =>
        Akka.Actor.Props.Create(() => new SweepCoordinator(plan, settings));

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Context.System.EventStream.Publish(new CoordinatorFault($"the ledger could not be read: {reason.Message}"));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Context.System.EventStream.Publish(new CoordinatorFault($"the ledger could not be written: {cause.Message}"));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        Context.System.EventStream.Publish(new CoordinatorFault($"the ledger refused an event: {cause.Message}"));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private void OnRecovered()
    {
        _ledger.Recovered(Now);
        if (_settings.LeasesDieWithProcess)
        {
            // The workers of these leases ran in the process that wrote the journal, which is gone: each lease is a
            // failed attempt (so a trial that kills its process reaches --max-retries instead of running forever).
            var orphans = _ledger.Entries.Where(e => e.State == TrialState.Leased).Select(e => e.WorkerId).Distinct().ToList();
            var lost = orphans.SelectMany(worker => _ledger.WorkerLost(worker, "its process ended while running it", Now)).ToList();
            foreach (var e in lost.OfType<TrialAttemptFailed>())
            {
                Remember($"{e.Key} attempt {e.Attempt}: {e.Error}");
            }
            PersistThen(lost, () => { });
        }
        var events = _ledger.Reconcile(key => TablePublisher.ReadManifest(_plan.SweepDir, key), Intact, Now);
        foreach (var e in events.OfType<TrialReset>())
        {
            _log.Warning("trial {0} reset: {1}", e.Key, e.Reason);
            RemoveResults(e);
        }
        Timers.StartPeriodicTimer(TickTimer, Tick.Instance, _settings.TickInterval);
        PersistThen(events, AfterChange);
    }

    /// <summary>True when a recorded file is there with its recorded SHA-256 (checkpoint files under the artifact folder).</summary>
    private bool Intact(PublishedFile file)
    {
        if (!SweepLedger.SafeRelativePath(file.Path))
        {
            return false;
        }
        var path = Path.Combine(file.Table == PublishedFile.ArtifactTable ? _artifacts.Root : _plan.SweepDir, file.Path);
        return File.Exists(path) && TablePublisher.Sha256Async(path, CancellationToken.None).GetAwaiter().GetResult() == file.Sha256;
    }

    /// <summary>
    /// Clears what a reset trial left, so its next attempt publishes afresh (publication never replaces a file): its own
    /// table files, its manifest, its other files and, for a generator, its checkpoint. Merged (compacted) files hold
    /// other trials' rows too and are left alone.
    /// </summary>
    private void RemoveResults(TrialReset reset)
    {
        if (!_ledger.Contains(reset.Key))
        {
            return;
        }
        var trial = _ledger[reset.Key].Spec;
        try
        {
            foreach (var file in (reset.Files ?? []).Where(f => f.Table != PublishedFile.ArtifactTable && SweepLedger.SafeRelativePath(f.Path)
                && Path.GetFileName(f.Path) == trial.Key + ".parquet"))
            {
                File.Delete(Path.Combine(_plan.SweepDir, file.Path));
            }
            File.Delete(SweepLayout.ManifestPath(_plan.SweepDir, reset.Key));
            var files = SweepLayout.TrialFilesDir(_plan.SweepDir, trial);
            if (Directory.Exists(files))
            {
                Directory.Delete(files, recursive: true);
            }
            if (trial.Kind == "generator" && Directory.Exists(_artifacts.PathFor(reset.Key)))
            {
                Directory.Delete(_artifacts.PathFor(reset.Key), recursive: true);
            }
        }
        catch (IOException e)
        {
            _log.Warning("trial {0}: its old files were not all removed: {1}", reset.Key, e.Message);
        }
    }

    private void OnWorkRequest(WorkRequest request)
    {
        var worker = Sender;
        if (_ledger.RefusesRunner(request.Runner) is { } refusal)
        {
            _log.Warning("worker {0} refused: {1}", request.WorkerId, refusal);
            Remember($"worker {request.WorkerId} refused: {refusal}");
            worker.Tell(new WorkRefused(refusal));
            return;
        }
        var asked = _watch.Clock;
        if (!_workers.TryGetValue(request.WorkerId, out var known) || !known.Equals(worker))
        {
            _workers[request.WorkerId] = worker;
            Context.Watch(worker);
        }
        _watch.WorkerSeen(request.WorkerId, request.Device);
        if (_ledger.IsFinished)
        {
            worker.Tell(new SweepComplete(_ledger.Succeeded, Summary()));
            return;
        }
        var decision = _ledger.TryLease(request.WorkerId, request.Node, request.Device, Now);
        if (!decision.Granted)
        {
            _waiting[request.WorkerId] = (worker, request);
            worker.Tell(new NoWorkYet(decision.WhyNone));
            return;
        }
        _waiting.Remove(request.WorkerId);
        var lease = LeaseFor(decision.Entry!);
        var fresh = decision.Events.Count > 0; // not the repeat of a lease the worker holds already
        if (fresh)
        {
            _watch.Leased(lease.Key, lease.Attempt);
        }
        PersistThen(decision.Events, () =>
        {
            worker.Tell(lease);
            if (fresh)
            {
                _watch.LeaseSent(asked);
            }
        });
    }

    private void OnHeartbeat(TrialHeartbeat beat)
    {
        if (_ledger.Heartbeat(beat.Key, beat.Attempt, beat.Token ?? "", beat.Progress, Now))
        {
            _watch.Progressed(beat.Key, beat.Attempt, beat.Progress);
        }
        else
        {
            Sender.Tell(new LeaseRevoked(beat.Key, beat.Attempt, "the trial has a result already or was leased again"));
        }
    }

    private void OnFinished(TrialFinished finished)
    {
        var worker = Sender;
        var decision = _ledger.Complete(finished, Now, Intact);
        if (decision.Outcome == CompletionOutcome.Failed)
        {
            Remember($"{finished.Key} attempt {finished.Attempt} on {finished.WorkerId}: {finished.Error}");
        }
        else if (decision.Outcome == CompletionOutcome.Refused)
        {
            _log.Warning("result from {0} refused: {1}", finished.WorkerId, decision.Why);
            Remember($"result from {finished.WorkerId} refused: {decision.Why}");
        }
        var (events, next) = WithNextLease(finished, worker, decision);
        PersistThen(events, () =>
        {
            worker.Tell(new TrialFinishedAck(finished.Key, finished.Attempt, next is not null));
            if (next is not null)
            {
                worker.Tell(next.Value.Lease);
                _watch.LeaseSent(next.Value.Asked);
            }
            AfterChange();
        });
    }

    /// <summary>
    /// A worker that reports a result asks for its next trial right after the acknowledgement: lease it now, in the
    /// same journal write as the result, and send it after the acknowledgement (one journal round trip per trial
    /// instead of two). The worker's own request then gets this lease repeated, as any repeated request does.
    /// </summary>
    private (List<ILedgerEvent> Events, (TrialLease Lease, TimeSpan Asked)? Next) WithNextLease(TrialFinished finished,
        IActorRef worker, CompletionDecision decision)
    {
        var events = decision.Events.ToList();
        if (decision.Outcome is not (CompletionOutcome.Accepted or CompletionOutcome.Failed) || _ledger.IsFinished
            || !_workers.TryGetValue(finished.WorkerId, out var known) || !known.Equals(worker))
        {
            return (events, null);
        }
        var asked = _watch.Clock;
        var lease = _ledger.TryLease(finished.WorkerId, finished.Node, finished.Device, Now);
        if (!lease.Granted || lease.Events.Count == 0)
        {
            return (events, null);
        }
        _waiting.Remove(finished.WorkerId);
        events.AddRange(lease.Events);
        var next = LeaseFor(lease.Entry!);
        _watch.Leased(next.Key, next.Attempt);
        return (events, (next, asked));
    }

    private void OnTerminated(Terminated terminated)
    {
        foreach (var (workerId, _) in _workers.Where(pair => pair.Value.Equals(terminated.ActorRef)).ToList())
        {
            _workers.Remove(workerId);
            _waiting.Remove(workerId);
            _watch.WorkerGone(workerId);
            var events = _ledger.WorkerLost(workerId, terminated.AddressTerminated ? "its node is gone" : "it stopped", Now);
            foreach (var e in events.OfType<TrialAttemptFailed>())
            {
                Remember($"{e.Key} attempt {e.Attempt}: {e.Error}");
            }
            PersistThen(events, AfterChange);
        }
    }

    private void OnTick()
    {
        var events = _ledger.ExpireLeases(Now).ToList();
        foreach (var stalled in _watch.Stalled(_ledger.Entries))
        {
            events.AddRange(_ledger.WorkerLost(stalled.WorkerId,
                $"no progress for {_settings.Liveness.StallTimeout.TotalSeconds:0.#} s (stall-timeout)", Now));
            if (_workers.TryGetValue(stalled.WorkerId, out var holder))
            {
                holder.Tell(new LeaseRevoked(stalled.Key, stalled.Attempts, "no progress within stall-timeout"));
            }
        }
        if (!_ledger.IsFinished && !_ledger.IsAborted && _watch.Unplaceable(_ledger, out var why, out var giveUp))
        {
            if (giveUp)
            {
                var aborted = new SweepAborted(why);
                _ledger.Apply(aborted, Now);
                events.Add(aborted);
                _log.Warning("sweep {0} stopped: {1}", _plan.Spec.Name, why);
            }
            else if (!_recentErrors.Contains(why))
            {
                _log.Warning("sweep {0}: {1}", _plan.Spec.Name, why);
                Remember(why);
            }
        }
        foreach (var e in events.OfType<TrialAttemptFailed>())
        {
            Remember($"{e.Key} attempt {e.Attempt}: {e.Error}");
        }
        PersistThen(events, AfterChange);
        if (_tableDirty && Now - _tableWritten >= _settings.TrialsTableInterval)
        {
            WriteTrialsTable();
        }
    }

    /// <summary>Journals events the ledger has already applied, then acts; commands wait meanwhile (Persist stashes).</summary>
    private void PersistThen(IReadOnlyList<ILedgerEvent> events, Action then)
    {
        if (events.Count == 0)
        {
            then();
            return;
        }
        _tableDirty = true;
        var remaining = events.Count;
        // Async: commands keep flowing while the journal writes, so concurrent events share one SQLite transaction.
        // The ledger has applied them already, and each reply still waits for its own events to be written.
        PersistAllAsync(events, _ =>
        {
            if (--remaining == 0)
            {
                then();
            }
        });
    }

    private void AfterChange()
    {
        // Work pulling: workers that asked and got nothing are owed a lease as soon as one is ready.
        foreach (var (workerId, (worker, request)) in _waiting.ToList())
        {
            var decision = _ledger.TryLease(workerId, request.Node, request.Device, Now);
            if (!decision.Granted)
            {
                continue;
            }
            _waiting.Remove(workerId);
            var lease = LeaseFor(decision.Entry!);
            _watch.Leased(lease.Key, lease.Attempt);
            PersistThen(decision.Events, () => worker.Tell(lease));
        }
        if (_ledger.IsFinished && !_announced)
        {
            _announced = true;
            WriteTrialsTable();
            var complete = new SweepComplete(_ledger.Succeeded, Summary());
            foreach (var worker in _workers.Values)
            {
                worker.Tell(complete);
            }
            _log.Info("sweep {0} complete: {1}", _plan.Spec.Name, complete.Summary);
        }
    }

    private void WriteTrialsTable()
    {
        try
        {
            TrialsTable.WriteAsync(_plan.SweepDir, _ledger.Entries).GetAwaiter().GetResult();
            _tableDirty = false;
            _tableWritten = Now;
        }
        catch (IOException e)
        {
            _log.Warning("trials table not written: {0}", e.Message);
        }
    }

    private TrialLease LeaseFor(LedgerEntry entry) => new(entry.Key, entry.Attempts, entry.Spec.ToJson(), _plan.SweepDir,
        _artifacts.Root, entry.Spec.DependsOn.Length > 0 ? _artifacts.PathFor(entry.Spec.DependsOn) : null,
        _settings.Ledger.LeaseTimeout.TotalSeconds, entry.Token);

    private void Remember(string error)
    {
        _recentErrors.Add(error);
        if (_recentErrors.Count > 20)
        {
            _recentErrors.RemoveAt(0);
        }
    }

    private string Summary() => _ledger.IsAborted
        ? $"stopped: {_ledger.AbortReason}"
        : $"{_ledger.Count(TrialState.Done)} done, {_ledger.Count(TrialState.Failed)} failed of {_ledger.Entries.Count}";

    private SweepStatus Status(bool withLatencies)
    {
        var now = Now;
        var done = _ledger.Entries.Where(e => e.State == TrialState.Done && e.WallSeconds > 0).ToList();
        return new SweepStatus(_ledger.Entries.Count, _ledger.Count(TrialState.Done), _ledger.Count(TrialState.Failed),
            _ledger.Count(TrialState.Leased), _ledger.Count(TrialState.Pending), _ledger.IsFinished, _ledger.Succeeded,
            _ledger.Entries.Where(e => e.State == TrialState.Leased)
                .Select(e => new RunningTrial(e.Key, e.Spec.Label, e.WorkerId, e.Attempts, e.Progress, now - e.LeasedAt)).ToList(),
            done.Count > 0 ? done.Average(e => e.WallSeconds) : 0, _ledger.DuplicateResults, _ledger.AbortReason,
            withLatencies ? _ledger.LeaseLatencies.ToList() : [], _recentErrors.ToList());
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
