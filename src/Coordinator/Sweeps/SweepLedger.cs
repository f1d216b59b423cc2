using Steerability.GpuNode.Protocol;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Sweeps;

/// <summary>Where a trial stands: pending → leased → done | failed (a failed attempt with retries left is pending again).</summary>
public enum TrialState
{
    Pending,
    Leased,
    Done,
    Failed,
}

/// <summary>Retry and lease rules of a sweep.</summary>
/// <param name="MaxRetries">Attempts after the first before a trial fails for good.</param>
/// <param name="FailFast">Stop leasing once a trial has failed for good (after its retries).</param>
/// <param name="LeaseTimeout">A lease not renewed by a heartbeat for this long is presumed dead and retried.</param>
public sealed record LedgerOptions(int MaxRetries, bool FailFast, TimeSpan LeaseTimeout)
{
    public static readonly LedgerOptions Default = new(2, false, TimeSpan.FromSeconds(60));
}

/// <summary>One trial's row in the ledger.</summary>
public sealed class LedgerEntry(TrialSpec spec)
{
    public TrialSpec Spec { get; } = spec;
    public string Key { get; } = spec.Key;
    public TrialState State { get; internal set; }
    /// <summary>Leases handed out so far; the current or last lease is number <see cref="Attempts"/>.</summary>
    public int Attempts { get; internal set; }
    public int Failures { get; internal set; }
    public string WorkerId { get; internal set; } = "";
    public string Node { get; internal set; } = "";
    public string Device { get; internal set; } = "";
    public DateTimeOffset Deadline { get; internal set; }
    public DateTimeOffset LeasedAt { get; internal set; }
    public double Progress { get; internal set; }
    public string Error { get; internal set; } = "";
    public string How { get; internal set; } = "";
    public double WallSeconds { get; internal set; }
    public double Throughput { get; internal set; }
    public string ThroughputUnit { get; internal set; } = "";
    public PublishedFile[] Files { get; internal set; } = [];
    public string? BlockedBy { get; internal set; }
    public DateTimeOffset ReadySince { get; internal set; }
    internal LinkedListNode<string>? ReadyNode { get; set; }
}

/// <summary>The answer to a work request: a lease (with the events that record it) or why there is none.</summary>
public sealed record LeaseDecision(LedgerEntry? Entry, IReadOnlyList<ILedgerEvent> Events, string WhyNone)
{
    public bool Granted => Entry is not null;
}

/// <summary>What became of a reported result.</summary>
public enum CompletionOutcome
{
    /// <summary>Recorded as the trial's result (possibly late: the lease had been presumed dead).</summary>
    Accepted,
    /// <summary>The trial already had a result; this one is ignored and counted nowhere.</summary>
    Duplicate,
    /// <summary>A failure of a lease that is no longer current, or of an unknown trial: ignored.</summary>
    Stale,
    /// <summary>A failure of the current lease: retried or failed for good.</summary>
    Failed,
}

/// <summary>The outcome of a reported result, with the events that record it.</summary>
public sealed record CompletionDecision(CompletionOutcome Outcome, IReadOnlyList<ILedgerEvent> Events);

/// <summary>
/// The state of every trial of a sweep: leases with deadlines, heartbeats, retries, fail-fast, dependencies, late
/// results. A plain class with time passed in, driven directly by tests; the coordinator actor only turns messages
/// into calls and journals the returned events. Every change goes through <see cref="Apply"/>, so replaying the
/// journal rebuilds the same state.
/// </summary>
public sealed class SweepLedger
{
    private readonly Dictionary<string, LedgerEntry> _entries = new();
    private readonly List<LedgerEntry> _ordered = new();
    private readonly Dictionary<string, List<LedgerEntry>> _dependents = new();
    private readonly Dictionary<string, string> _leaseByWorker = new();
    private readonly LinkedList<string> _ready = new();
    private readonly List<TimeSpan> _leaseLatencies = new();

    public SweepLedger(IEnumerable<TrialSpec> trials, LedgerOptions options, DateTimeOffset now)
    {
        Options = options;
        foreach (var trial in trials)
        {
            var entry = new LedgerEntry(trial);
            if (_entries.ContainsKey(entry.Key))
            {
                continue; // the same configuration twice in a spec is one trial
            }
            _entries[entry.Key] = entry;
            _ordered.Add(entry);
        }
        foreach (var entry in _ordered.Where(e => e.Spec.GeneratorKey.Length > 0))
        {
            if (!_entries.ContainsKey(entry.Spec.GeneratorKey))
            {
                throw new ArgumentException($"trial {entry.Key} needs generator {entry.Spec.GeneratorKey}, which is not in the sweep");
            }
            if (!_dependents.TryGetValue(entry.Spec.GeneratorKey, out var list))
            {
                _dependents[entry.Spec.GeneratorKey] = list = new List<LedgerEntry>();
            }
            list.Add(entry);
        }
        foreach (var entry in _ordered)
        {
            MarkReadyIfPossible(entry, now);
        }
    }

    public LedgerOptions Options { get; }

    public IReadOnlyList<LedgerEntry> Entries => _ordered;

    public LedgerEntry this[string key] => _entries[key];

    public bool Contains(string key) => _entries.ContainsKey(key);

    public bool IsAborted { get; private set; }

    public string AbortReason { get; private set; } = "";

    /// <summary>Results ignored because their trial already had one (each would otherwise be counted twice).</summary>
    public int DuplicateResults { get; private set; }

    /// <summary>Time from a trial becoming ready to its lease, for every lease granted by this instance.</summary>
    public IReadOnlyList<TimeSpan> LeaseLatencies => _leaseLatencies;

    public int Count(TrialState state) => _ordered.Count(e => e.State == state);

    /// <summary>True when nothing more will happen: every trial done or failed, or aborted with no lease out.</summary>
    public bool IsFinished => IsAborted
        ? _leaseByWorker.Count == 0
        : _ordered.All(e => e.State is TrialState.Done or TrialState.Failed);

    public bool Succeeded => _ordered.All(e => e.State == TrialState.Done);

    /// <summary>Hands the oldest ready trial the worker's device may run; a worker holding a lease gets it again.</summary>
    public LeaseDecision TryLease(string workerId, string node, string device, DateTimeOffset now)
    {
        if (_leaseByWorker.TryGetValue(workerId, out var held))
        {
            // The worker asked again (its request or our answer was lost): repeat the lease, never hand out a second.
            var current = _entries[held];
            current.Deadline = now + Options.LeaseTimeout;
            return new LeaseDecision(current, [], "");
        }
        if (IsAborted)
        {
            return new LeaseDecision(null, [], $"sweep stopped: {AbortReason}");
        }
        for (var node2 = _ready.First; node2 is not null; node2 = node2.Next)
        {
            var entry = _entries[node2.Value];
            if (!Fits(entry.Spec.Device, device))
            {
                continue;
            }
            var leased = new TrialLeased(entry.Key, entry.Attempts + 1, workerId, node, device);
            var latency = now - entry.ReadySince;
            Apply(leased, now);
            _leaseLatencies.Add(latency);
            return new LeaseDecision(entry, [leased], "");
        }
        var waiting = _ordered.Count(e => e.State == TrialState.Pending);
        return new LeaseDecision(null, [], waiting > 0
            ? $"{waiting} pending trial(s) wait for their generators or need another device"
            : "every trial is leased or finished");
    }

    /// <summary>Renews a lease; false when it is not the trial's current lease (the worker should stop).</summary>
    public bool Heartbeat(string key, int attempt, double progress, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry) || entry.State != TrialState.Leased || entry.Attempts != attempt)
        {
            return false;
        }
        entry.Deadline = now + Options.LeaseTimeout;
        entry.Progress = progress;
        return true;
    }

    /// <summary>
    /// Records a reported result. A success is accepted once, whichever lease it comes from, even one presumed dead
    /// or a trial already failed for good (the work is done; discarding it helps no one); any later one is a duplicate.
    /// A failure counts only for the current lease.
    /// </summary>
    public CompletionDecision Complete(TrialFinished finished, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(finished.Key, out var entry))
        {
            return new CompletionDecision(CompletionOutcome.Stale, []);
        }
        var current = entry.State == TrialState.Leased && entry.Attempts == finished.Attempt;
        if (finished.Succeeded)
        {
            if (entry.State == TrialState.Done)
            {
                DuplicateResults++;
                return new CompletionDecision(CompletionOutcome.Duplicate, []);
            }
            var succeeded = new TrialSucceeded(entry.Key, finished.Attempt, finished.WorkerId, finished.Node, finished.Device,
                finished.Files, finished.WallSeconds, finished.Throughput, finished.ThroughputUnit, current ? "lease" : "late");
            Apply(succeeded, now);
            return new CompletionDecision(CompletionOutcome.Accepted, [succeeded]);
        }
        if (!current)
        {
            return new CompletionDecision(CompletionOutcome.Stale, []);
        }
        return new CompletionDecision(CompletionOutcome.Failed, FailAttempt(entry, finished.Error, now));
    }

    /// <summary>Fails every lease whose deadline has passed (its worker stopped heartbeating).</summary>
    public IReadOnlyList<ILedgerEvent> ExpireLeases(DateTimeOffset now)
    {
        var events = new List<ILedgerEvent>();
        foreach (var entry in _ordered.Where(e => e.State == TrialState.Leased && e.Deadline < now).ToList())
        {
            events.AddRange(FailAttempt(entry,
                $"lease expired: no heartbeat from {entry.WorkerId} for {Options.LeaseTimeout.TotalSeconds:0.#} s", now));
        }
        return events;
    }

    /// <summary>Fails the lease a lost worker held at once, without waiting for its deadline.</summary>
    public IReadOnlyList<ILedgerEvent> WorkerLost(string workerId, string reason, DateTimeOffset now) =>
        _leaseByWorker.TryGetValue(workerId, out var key)
            ? FailAttempt(_entries[key], $"worker {workerId} lost: {reason}", now)
            : [];

    /// <summary>
    /// After replaying the journal: leases from before the restart get a fresh deadline, so that workers still
    /// running them can reconnect and heartbeat instead of having their trials run a second time.
    /// </summary>
    public void Recovered(DateTimeOffset now)
    {
        foreach (var entry in _ordered.Where(e => e.State == TrialState.Leased))
        {
            entry.Deadline = now + Options.LeaseTimeout;
        }
    }

    /// <summary>
    /// Makes the ledger agree with the files: a done trial whose result files are gone or altered is pending again;
    /// an unfinished trial whose worker published a complete result (manifest and intact files) is done.
    /// </summary>
    public IReadOnlyList<ILedgerEvent> Reconcile(Func<string, TrialFinished?> manifest, Func<PublishedFile, bool> intact, DateTimeOffset now)
    {
        var events = new List<ILedgerEvent>();
        foreach (var entry in _ordered)
        {
            if (entry.State == TrialState.Done)
            {
                var broken = entry.Files.FirstOrDefault(f => !intact(f));
                // Compaction moves rows into merged files and rewrites the manifests: those count as intact too.
                if (broken is not null && !(manifest(entry.Key) is { Succeeded: true } moved && moved.Files.All(intact)))
                {
                    var reset = new TrialReset(entry.Key, $"result file {broken.Path} is missing or altered");
                    Apply(reset, now);
                    events.Add(reset);
                }
                continue;
            }
            if (entry.BlockedBy is not null)
            {
                continue;
            }
            var found = manifest(entry.Key);
            if (found is { Succeeded: true } && found.Files.All(intact))
            {
                var succeeded = new TrialSucceeded(entry.Key, found.Attempt, found.WorkerId, found.Node, found.Device,
                    found.Files, found.WallSeconds, found.Throughput, found.ThroughputUnit, "found on disk");
                Apply(succeeded, now);
                events.Add(succeeded);
            }
        }
        return events;
    }

    /// <summary>Changes the state by one event; the only place state changes, used live and when replaying.</summary>
    public void Apply(ILedgerEvent @event, DateTimeOffset now)
    {
        switch (@event)
        {
            case TrialLeased leased when _entries.TryGetValue(leased.Key, out var entry):
                ReleaseLease(entry);
                RemoveFromReady(entry);
                entry.State = TrialState.Leased;
                entry.Attempts = Math.Max(entry.Attempts, leased.Attempt);
                entry.WorkerId = leased.WorkerId;
                entry.Node = leased.Node;
                entry.Device = leased.Device;
                entry.LeasedAt = now;
                entry.Deadline = now + Options.LeaseTimeout;
                entry.Progress = 0;
                _leaseByWorker[leased.WorkerId] = entry.Key;
                break;
            case TrialSucceeded succeeded when _entries.TryGetValue(succeeded.Key, out var entry):
                ReleaseLease(entry);
                RemoveFromReady(entry);
                entry.State = TrialState.Done;
                entry.Attempts = Math.Max(entry.Attempts, succeeded.Attempt);
                entry.WorkerId = succeeded.WorkerId;
                entry.Node = succeeded.Node;
                entry.Device = succeeded.Device;
                entry.Files = succeeded.Files;
                entry.WallSeconds = succeeded.WallSeconds;
                entry.Throughput = succeeded.Throughput;
                entry.ThroughputUnit = succeeded.ThroughputUnit;
                entry.How = succeeded.How;
                entry.Error = "";
                entry.Progress = 1;
                foreach (var dependent in _dependents.GetValueOrDefault(entry.Key) ?? [])
                {
                    if (dependent.BlockedBy == entry.Key)
                    {
                        dependent.BlockedBy = null;
                        dependent.State = TrialState.Pending;
                        dependent.Error = "";
                    }
                    MarkReadyIfPossible(dependent, now);
                }
                break;
            case TrialAttemptFailed failed when _entries.TryGetValue(failed.Key, out var entry):
                ReleaseLease(entry);
                entry.Failures++;
                entry.Error = failed.Error;
                entry.State = failed.Final ? TrialState.Failed : TrialState.Pending;
                MarkReadyIfPossible(entry, now);
                break;
            case TrialBlocked blocked when _entries.TryGetValue(blocked.Key, out var entry):
                ReleaseLease(entry);
                RemoveFromReady(entry);
                entry.State = TrialState.Failed;
                entry.BlockedBy = blocked.BlockedBy;
                entry.Error = $"needs trial {blocked.BlockedBy}, which failed";
                break;
            case TrialReset reset when _entries.TryGetValue(reset.Key, out var entry):
                entry.State = TrialState.Pending;
                entry.Files = [];
                entry.Error = reset.Reason;
                MarkReadyIfPossible(entry, now);
                break;
            case SweepAborted aborted:
                IsAborted = true;
                AbortReason = aborted.Reason;
                break;
        }
    }

    private List<ILedgerEvent> FailAttempt(LedgerEntry entry, string error, DateTimeOffset now)
    {
        var final = entry.Attempts > Options.MaxRetries;
        var events = new List<ILedgerEvent> { new TrialAttemptFailed(entry.Key, entry.Attempts, error, final) };
        if (final)
        {
            foreach (var dependent in _dependents.GetValueOrDefault(entry.Key) ?? [])
            {
                if (dependent.State is TrialState.Pending)
                {
                    events.Add(new TrialBlocked(dependent.Key, entry.Key));
                }
            }
            if (Options.FailFast && !IsAborted)
            {
                events.Add(new SweepAborted($"trial {entry.Key} ({entry.Spec.Label}) failed after {entry.Attempts} attempt(s): {error}"));
            }
        }
        foreach (var e in events)
        {
            Apply(e, now);
        }
        return events;
    }

    private void ReleaseLease(LedgerEntry entry)
    {
        if (entry.State == TrialState.Leased && _leaseByWorker.TryGetValue(entry.WorkerId, out var key) && key == entry.Key)
        {
            _leaseByWorker.Remove(entry.WorkerId);
        }
    }

    private void MarkReadyIfPossible(LedgerEntry entry, DateTimeOffset now)
    {
        if (entry.State != TrialState.Pending || entry.ReadyNode is not null || entry.BlockedBy is not null)
        {
            return;
        }
        if (entry.Spec.GeneratorKey.Length > 0 && _entries[entry.Spec.GeneratorKey].State != TrialState.Done)
        {
            return;
        }
        entry.ReadySince = now;
        entry.ReadyNode = _ready.AddLast(entry.Key);
    }

    private void RemoveFromReady(LedgerEntry entry)
    {
        if (entry.ReadyNode is not null)
        {
            _ready.Remove(entry.ReadyNode);
            entry.ReadyNode = null;
        }
    }

    /// <summary>Device policy `auto` runs anywhere; `cpu` only on CPU workers; `cuda` only on CUDA workers.</summary>
    private static bool Fits(string policy, string device) => policy switch
    {
        "cpu" => device == "cpu",
        "cuda" => device.StartsWith("cuda", StringComparison.Ordinal),
        _ => true,
    };
}
