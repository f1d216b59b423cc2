using Steerability.GpuNode.Contract;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Steerability.Coordinator.Results;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Sweeps;

/// <summary>Timings of the coordinator; `cluster.hocon` documents the defaults.</summary>
/// <param name="TickInterval">How often expired leases are looked for and the trials table refreshed.</param>
/// <param name="TrialsTableInterval">Least time between two rewrites of the trials table during a run.</param>
public sealed record CoordinatorSettings(LedgerOptions Ledger, TimeSpan TickInterval, TimeSpan TrialsTableInterval)
{
    /// <summary>The built-in cluster.hocon's values.</summary>
    public static readonly CoordinatorSettings Default = SweepConfig.Settings(GpuNode.Contract.ClusterDefaults.Config, null, false).Coordinator;

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
/// The sweep's coordinator: a persistent shell around <see cref="SweepLedger"/>. For each message it asks the ledger
/// to decide, journals the events the decision returns, and only then applies them, replies and runs their effects:
/// a lease is sent only once recorded (a restarted coordinator never hands the same trial out twice), and a crash
/// between journal and effect loses nothing, since replaying the journal applies the same events and the effects
/// left undone are found in the state (a reset's files still to be removed). What touches files (checking and
/// hashing them, removing a reset trial's, writing the trials table) runs in its child <see cref="SweepFiles"/>,
/// whose answers come back as messages. After a restart it stashes work until the files are examined.
/// </summary>
public sealed class SweepCoordinator : ReceivePersistentActor, IWithTimers
{
    private const string TickTimer = "tick";

    private readonly SweepPlan _plan;
    private readonly CoordinatorSettings _settings;
    private readonly SweepLedger _ledger;
    private readonly ArtifactStore _artifacts;
    private readonly IActorRef _files;
    private readonly Dictionary<string, IActorRef> _workers = new();
    private readonly Dictionary<string, (IActorRef Worker, WorkRequest Request)> _waiting = new();
    private readonly HashSet<string> _removing = new();
    private readonly List<string> _recentErrors = new();
    private readonly List<TimeSpan> _leaseLatencies = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CoordinatorWatch _watch;
    private int _duplicateResults;
    private bool _finishing;
    private bool _announced;
    private bool _tableDirty = true;
    private bool _tableWriting;
    private DateTimeOffset _tableWritten = DateTimeOffset.MinValue;

    public SweepCoordinator(SweepPlan plan, CoordinatorSettings settings)
    {
        _plan = plan;
        _settings = settings;
        _ledger = new SweepLedger(plan.Trials, settings.Ledger, Now);
        _artifacts = new ArtifactStore(plan.ArtifactDir);
        _files = Context.ActorOf(SweepFiles.Props(plan.SweepDir, _artifacts), "files");
        _watch = new CoordinatorWatch(settings.Liveness);

        Recover<ILedgerEvent>(e => _ledger.Apply(e, Now));
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Examining();
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

    /// <summary>From recovery until the files are examined: only status questions are answered, the rest waits.</summary>
    private void Examining()
    {
        Command<FilesExamined>(OnFilesExamined);
        Command<GetSweepStatus>(request => Sender.Tell(Status(request.WithLatencies)));
        Command<GetLeaseTimings>(_ => Sender.Tell(_watch.Timings()));
        CommandAny(_ => Stash.Stash());
    }

    private void Active()
    {
        Command<WorkRequest>(OnWorkRequest);
        Command<TrialHeartbeat>(OnHeartbeat);
        Command<TrialFinished>(OnFinished);
        Command<PresenceChecked>(checkedFiles => Settle(checkedFiles.Finished, checkedFiles.Worker,
            _ledger.DecideResult(checkedFiles.Finished, file => !checkedFiles.Missing.Contains(file.Path))));
        Command<TrialFilesRemovedFromDisk>(OnFilesRemoved);
        Command<TrialsTableWritten>(OnTableWritten);
        Command<Terminated>(OnTerminated);
        Command<Tick>(_ => OnTick());
        Command<GetSweepStatus>(request => Sender.Tell(Status(request.WithLatencies)));
        Command<GetLeaseTimings>(_ => Sender.Tell(_watch.Timings()));
    }

    private void OnRecovered()
    {
        Record(_ledger.DecideRecovery(), () => { });
        if (_settings.LeasesDieWithProcess)
        {
            // The workers of these leases ran in the process that wrote the journal, which is gone: each lease is a
            // failed attempt (so a trial that kills its process reaches --max-retries instead of running forever).
            var orphans = _ledger.Entries.Where(e => e.State == TrialState.Leased).Select(e => e.WorkerId).Distinct().ToList();
            Record(orphans.SelectMany(worker => _ledger.DecideWorkerLost(worker, "its process ended while running it")).ToList(), () => { });
        }
        _files.Tell(new ExamineFiles(_ledger.Entries.Select(e => e.Key).ToList(), _ledger.RecordedFiles()));
    }

    private void OnFilesExamined(FilesExamined examined)
    {
        Become(Active);
        Stash.UnstashAll();
        Timers.StartPeriodicTimer(TickTimer, Tick.Instance, _settings.TickInterval);
        // Resets journaled before a crash whose files were never removed: removed now (removal is idempotent).
        foreach (var entry in _ledger.Entries.Where(e => e.FilesToRemove is not null))
        {
            RemoveFiles(entry.Key);
        }
        var events = _ledger.DecideReconcile(key => examined.Manifests.GetValueOrDefault(key), examined.Intact.Contains);
        Record(events, AfterChange);
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
        var decision = _ledger.DecideLease(request.WorkerId, request.Node, request.Device, Now);
        if (!decision.Granted)
        {
            _waiting[request.WorkerId] = (worker, request);
            worker.Tell(new NoWorkYet(decision.WhyNone));
            return;
        }
        _waiting.Remove(request.WorkerId);
        if (decision.Lease is { } fresh) // not the repeat of a lease the worker holds already
        {
            _watch.Leased(fresh.Key, fresh.Attempt);
        }
        Record(decision.Events, () =>
        {
            worker.Tell(LeaseFor(decision.Entry!));
            if (decision.Lease is not null)
            {
                _watch.LeaseSent(asked);
                _leaseLatencies.Add(decision.Waited);
            }
        });
    }

    private void OnHeartbeat(TrialHeartbeat beat)
    {
        if (_ledger.DecideHeartbeat(beat.Key, beat.Attempt, beat.Token ?? "", beat.Progress) is { } renewal)
        {
            Record([renewal], () => { });
            _watch.Progressed(beat.Key, beat.Attempt, beat.Progress);
        }
        else
        {
            Sender.Tell(new LeaseRevoked(beat.Key, beat.Attempt, "the trial has a result already or was leased again"));
        }
    }

    /// <summary>
    /// A result is decided on at once, unless it would be accepted and names files: then <see cref="SweepFiles"/>
    /// first checks that they are there (their SHA-256 is the worker's, checked on recovery), and the ledger decides
    /// when the answer comes, on the state as it is then.
    /// </summary>
    private void OnFinished(TrialFinished finished)
    {
        var decision = _ledger.DecideResult(finished);
        if (decision.Outcome == CompletionOutcome.Accepted && (finished.Files ?? []).Length > 0)
        {
            _files.Tell(new CheckPresence(finished, Sender));
            return;
        }
        Settle(finished, Sender, decision);
    }

    /// <summary>
    /// Records a decided result and acknowledges it once journaled. A worker that reports a result asks for its next
    /// trial right after the acknowledgement: lease it now, in the same journal write as the result, and send it after
    /// the acknowledgement (one journal round trip per trial instead of two). The worker's own request then gets this
    /// lease repeated, as any repeated request does.
    /// </summary>
    private void Settle(TrialFinished finished, IActorRef worker, CompletionDecision decision)
    {
        if (decision.Outcome == CompletionOutcome.Refused)
        {
            _log.Warning("result from {0} refused: {1}", finished.WorkerId, decision.Why);
            Remember($"result from {finished.WorkerId} refused: {decision.Why}");
        }
        else if (decision.Outcome == CompletionOutcome.Duplicate)
        {
            _duplicateResults++;
        }
        var asked = _watch.Clock;
        var next = !_ledger.IsFinished && _workers.TryGetValue(finished.WorkerId, out var known) && known.Equals(worker)
            ? _ledger.DecideNextLease(finished, decision, Now)
            : LeaseDecision.None("");
        if (next.Lease is { } lease)
        {
            _waiting.Remove(finished.WorkerId);
            _watch.Leased(lease.Key, lease.Attempt);
        }
        Record(decision.Events.Concat(next.Events).ToList(), () =>
        {
            worker.Tell(new TrialFinishedAck(finished.Key, finished.Attempt, next.Lease is not null));
            if (next.Lease is not null)
            {
                worker.Tell(LeaseFor(next.Entry!));
                _watch.LeaseSent(asked);
                _leaseLatencies.Add(next.Waited);
            }
            AfterChange();
        });
    }

    private void OnTerminated(Terminated terminated)
    {
        foreach (var (workerId, _) in _workers.Where(pair => pair.Value.Equals(terminated.ActorRef)).ToList())
        {
            _workers.Remove(workerId);
            _waiting.Remove(workerId);
            _watch.WorkerGone(workerId);
            Record(_ledger.DecideWorkerLost(workerId, terminated.AddressTerminated ? "its node is gone" : "it stopped"), AfterChange);
        }
    }

    private void OnTick()
    {
        var events = _ledger.DecideExpiries(Now).ToList();
        var failing = events.OfType<TrialAttemptFailed>().Select(e => e.Key).ToHashSet();
        var revoked = new List<(IActorRef Holder, LeaseRevoked Revoked)>();
        foreach (var stalled in _watch.Stalled(_ledger.Entries).Where(e => !failing.Contains(e.Key)))
        {
            events.AddRange(_ledger.DecideWorkerLost(stalled.WorkerId,
                $"no progress for {_settings.Liveness.StallTimeout.TotalSeconds:0.#} s (stall-timeout)"));
            if (_workers.TryGetValue(stalled.WorkerId, out var holder))
            {
                revoked.Add((holder, new LeaseRevoked(stalled.Key, stalled.Attempts, "no progress within stall-timeout")));
            }
        }
        if (!_ledger.IsFinished && !_ledger.IsAborted && _watch.Unplaceable(_ledger, out var why, out var giveUp))
        {
            if (giveUp)
            {
                events.AddRange(_ledger.DecideAbort(why));
                _log.Warning("sweep {0} stopped: {1}", _plan.Spec.Name, why);
            }
            else if (!_recentErrors.Contains(why))
            {
                _log.Warning("sweep {0}: {1}", _plan.Spec.Name, why);
                Remember(why);
            }
        }
        Record(events, () =>
        {
            foreach (var (holder, revoke) in revoked)
            {
                holder.Tell(revoke);
            }
            AfterChange();
        });
        if (_tableDirty && !_tableWriting && Now - _tableWritten >= _settings.TrialsTableInterval)
        {
            WriteTrialsTable(final: false);
        }
    }

    /// <summary>
    /// Journals the events, then applies each, runs its effects and, once all are applied, <paramref name="then"/>.
    /// Persisting stashes the commands that arrive meanwhile, so every decision is made on a ledger that has applied
    /// every earlier event. A transient event (a lease renewed) is applied at once and never journaled.
    /// </summary>
    private void Record(IReadOnlyList<ILedgerEvent> events, Action then)
    {
        foreach (var renewal in events.OfType<ITransientLedgerEvent>())
        {
            _ledger.Apply(renewal, Now);
        }
        var durable = events.Where(e => e is not ITransientLedgerEvent).ToList();
        if (durable.Count == 0)
        {
            then();
            return;
        }
        var remaining = durable.Count;
        PersistAll(durable, e =>
        {
            PersistKillPoint.Persisted(e);
            _ledger.Apply(e, Now);
            _tableDirty = true;
            RunEffects(e);
            if (--remaining == 0)
            {
                then();
            }
        });
    }

    /// <summary>What an applied event sets going besides the ledger's state (replay applies events without these).</summary>
    private void RunEffects(ILedgerEvent applied)
    {
        switch (applied)
        {
            case TrialAttemptFailed failed:
                Remember($"{failed.Key} attempt {failed.Attempt}: {failed.Error}");
                break;
            case TrialReset reset:
                _log.Warning("trial {0} reset: {1}", reset.Key, reset.Reason);
                RemoveFiles(reset.Key);
                break;
        }
    }

    private void RemoveFiles(string key)
    {
        if (_removing.Add(key))
        {
            _files.Tell(new RemoveTrialFiles(_ledger[key].Spec, _ledger[key].FilesToRemove ?? []));
        }
    }

    private void OnFilesRemoved(TrialFilesRemovedFromDisk removed)
    {
        _removing.Remove(removed.Key);
        if (removed.Problem is not null)
        {
            _log.Warning("trial {0}: its old files were not all removed: {1}", removed.Key, removed.Problem);
        }
        Record([new TrialFilesRemoved(removed.Key)], AfterChange);
    }

    private void AfterChange()
    {
        // Work pulling: workers that asked and got nothing are owed a lease as soon as one is ready.
        if (_waiting.Count > 0 && !_ledger.IsFinished)
        {
            var waiting = _waiting.ToList();
            var granted = waiting
                .Zip(_ledger.DecideLeases(waiting.Select(w => (w.Key, w.Value.Request.Node, w.Value.Request.Device)), Now),
                    (w, decision) => (WorkerId: w.Key, w.Value.Worker, Decision: decision))
                .Where(grant => grant.Decision.Granted)
                .ToList();
            foreach (var (workerId, _, decision) in granted)
            {
                _waiting.Remove(workerId);
                if (decision.Lease is { } lease)
                {
                    _watch.Leased(lease.Key, lease.Attempt);
                }
            }
            Record(granted.SelectMany(grant => grant.Decision.Events).ToList(), () =>
            {
                foreach (var (_, worker, decision) in granted)
                {
                    worker.Tell(LeaseFor(decision.Entry!));
                    _leaseLatencies.Add(decision.Waited);
                }
            });
        }
        if (_ledger.IsFinished && !_finishing)
        {
            // The sweep is complete once the trials table says so: the command that waits for it then reads it.
            _finishing = true;
            WriteTrialsTable(final: true);
        }
    }

    private void WriteTrialsTable(bool final)
    {
        _files.Tell(new WriteTrialsTable(TrialsTable.Rows(_ledger.Entries), final));
        _tableDirty = false;
        _tableWriting = true;
        _tableWritten = Now;
    }

    private void OnTableWritten(TrialsTableWritten written)
    {
        _tableWriting = false;
        if (written.Problem is not null)
        {
            _log.Warning("trials table not written: {0}", written.Problem);
            _tableDirty = true;
        }
        if (written.Final && !_announced)
        {
            _announced = true;
            var complete = new SweepComplete(_ledger.Succeeded, Summary());
            foreach (var worker in _workers.Values)
            {
                worker.Tell(complete);
            }
            _log.Info("sweep {0} complete: {1}", _plan.Spec.Name, complete.Summary);
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

    /// <summary>The sweep counts as finished once its trials table is written (<see cref="OnTableWritten"/>).</summary>
    private SweepStatus Status(bool withLatencies)
    {
        var now = Now;
        var done = _ledger.Entries.Where(e => e.State == TrialState.Done && e.WallSeconds > 0).ToList();
        return new SweepStatus(_ledger.Entries.Count, _ledger.Count(TrialState.Done), _ledger.Count(TrialState.Failed),
            _ledger.Count(TrialState.Leased), _ledger.Count(TrialState.Pending), _announced && _ledger.IsFinished, _ledger.Succeeded,
            _ledger.Entries.Where(e => e.State == TrialState.Leased)
                .Select(e => new RunningTrial(e.Key, e.Spec.Label, e.WorkerId, e.Attempts, e.Progress, now - e.LeasedAt)).ToList(),
            done.Count > 0 ? done.Average(e => e.WallSeconds) : 0, _duplicateResults, _ledger.AbortReason,
            withLatencies ? _leaseLatencies.ToList() : [], _recentErrors.ToList());
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
