using Steerability.GpuNode.Contract;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Steerability.GpuNode.Results;
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
/// <param name="Runner">The sweep's runner (`walk`, `synthetic`, `nowork`): results of any other are refused.</param>
public sealed record LedgerOptions(int MaxRetries, bool FailFast, TimeSpan LeaseTimeout, string Runner = TrialRunners.Default)
{
    /// <summary>The built-in cluster.hocon's values (no fail-fast).</summary>
    public static LedgerOptions Default => CoordinatorSettings.Default.Ledger;
}

/// <summary>One trial's row in the ledger.</summary>
public sealed class LedgerEntry(TrialSpec spec)
{
    public TrialSpec Spec { get; } = spec;
    public string Key { get; } = spec.Key;
    public TrialState State
    {
        get => _state;
        internal set
        {
            if (value != _state)
            {
                StateChanged?.Invoke(_state, value);
                _state = value;
            }
        }
    }
    private TrialState _state;
    /// <summary>Tells the ledger, which counts trials per state (a count is asked for per message; a scan was O(n)).</summary>
    internal Action<TrialState, TrialState>? StateChanged { get; set; }
    /// <summary>Leases handed out so far; the current or last lease is number <see cref="Attempts"/>.</summary>
    public int Attempts { get; internal set; }
    public int Failures { get; internal set; }
    /// <summary>Attempts made before the trial was last reset; retries are counted from there.</summary>
    public int AttemptsBeforeReset { get; internal set; }
    /// <summary>The token of the current or last lease.</summary>
    public string Token { get; internal set; } = "";
    /// <summary>Every token the ledger issued for this trial, by attempt: a late result must carry one of them.</summary>
    internal Dictionary<int, string> Tokens { get; } = new();
    /// <summary>The token the ledger issued for an attempt, or null when it issued none.</summary>
    public string? IssuedToken(int attempt) => Tokens.GetValueOrDefault(attempt);
    /// <summary>The runner that made the accepted result.</summary>
    public string Runner { get; internal set; } = "";
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
    /// <summary>
    /// The files a reset left, still to be removed: the trial is neither leased nor takes a result until the
    /// coordinator records their removal (<see cref="TrialFilesRemoved"/>), so no new result is deleted with them.
    /// </summary>
    public PublishedFile[]? FilesToRemove { get; internal set; }
    public DateTimeOffset ReadySince { get; internal set; }
    internal LinkedListNode<string>? ReadyNode { get; set; }
}

/// <summary>The answer to a work request: a lease (with the events that would record it) or why there is none.</summary>
/// <param name="Entry">The trial leased (or leased again, to a worker that holds it already); null when none.</param>
/// <param name="Waited">How long the trial had been ready, for a fresh lease.</param>
public sealed record LeaseDecision(LedgerEntry? Entry, IReadOnlyList<ILedgerEvent> Events, string WhyNone, TimeSpan Waited = default)
{
    public bool Granted => Entry is not null;

    /// <summary>The new lease, or null when none is granted or the worker is given the lease it holds again.</summary>
    public TrialLeased? Lease => Events.OfType<TrialLeased>().FirstOrDefault();

    public static LeaseDecision None(string why) => new(null, [], why);
}

/// <summary>What became of a reported result.</summary>
public enum CompletionOutcome
{
    /// <summary>Recorded as the trial's result (possibly late: the lease had been presumed dead).</summary>
    Accepted,
    /// <summary>The trial already had a result; this one is ignored and counted nowhere.</summary>
    Duplicate,
    /// <summary>A failure of a lease that is no longer current, of an unknown trial, or a result for a trial whose old files are being removed: ignored.</summary>
    Stale,
    /// <summary>Not from a lease this ledger issued (unknown token), from another runner, or with bad paths: ignored.</summary>
    Refused,
    /// <summary>A failure of the current lease: retried or failed for good.</summary>
    Failed,
}

/// <summary>The outcome of a reported result, with the events that would record it.</summary>
public sealed record CompletionDecision(CompletionOutcome Outcome, IReadOnlyList<ILedgerEvent> Events, string Why = "");

/// <summary>
/// The state of every trial of a sweep: leases with deadlines, heartbeats, retries, fail-fast, dependencies, late
/// results. A plain class with time passed in, driven directly by tests. Its decisions (<c>Decide…</c>) are pure:
/// they read the state and return the events they would cause, changing nothing; <see cref="Apply"/> is the only
/// change, so the coordinator can journal an event before it takes effect, and replaying the journal rebuilds the
/// same state.
/// </summary>
public sealed class SweepLedger
{
    private readonly Dictionary<string, LedgerEntry> _entries = new();
    private readonly List<LedgerEntry> _ordered = new();
    private readonly Dictionary<string, List<LedgerEntry>> _dependents = new();
    private readonly Dictionary<string, string> _leaseByWorker = new();
    private readonly LinkedList<string> _ready = new();
    private readonly int[] _counts = new int[Enum.GetValues<TrialState>().Length];

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
            _counts[(int)entry.State]++;
            entry.StateChanged = (from, to) =>
            {
                _counts[(int)from]--;
                _counts[(int)to]++;
            };
        }
        foreach (var entry in _ordered.Where(e => e.Spec.DependsOn.Length > 0))
        {
            if (!_entries.ContainsKey(entry.Spec.DependsOn))
            {
                throw new ArgumentException($"trial {entry.Key} needs generator {entry.Spec.DependsOn}, which is not in the sweep");
            }
            if (!_dependents.TryGetValue(entry.Spec.DependsOn, out var list))
            {
                _dependents[entry.Spec.DependsOn] = list = new List<LedgerEntry>();
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

    /// <summary>The trials a worker could be leased now (pending, unblocked, generator done, no files to remove), oldest first.</summary>
    public IEnumerable<LedgerEntry> Ready => _ready.Select(key => _entries[key]);

    public int Count(TrialState state) => _counts[(int)state];

    /// <summary>True when nothing more will happen: every trial done or failed, or aborted with no lease out.</summary>
    public bool IsFinished => IsAborted
        ? _leaseByWorker.Count == 0
        : Count(TrialState.Done) + Count(TrialState.Failed) == _ordered.Count;

    public bool Succeeded => Count(TrialState.Done) == _ordered.Count;

    /// <summary>
    /// The oldest ready trial the worker's device may run; a worker holding a lease gets it again (a renewal, not
    /// journaled). <paramref name="releasedKey"/> is the trial whose result releases the worker's lease in the same
    /// write (<see cref="DecideNextLease"/>).
    /// </summary>
    public LeaseDecision DecideLease(string workerId, string node, string device, DateTimeOffset now, string? releasedKey = null) =>
        LeaseFrom(workerId, node, device, now, [], releasedKey);

    /// <summary>Leases for several workers at once (those waiting for work), each a different trial.</summary>
    public IReadOnlyList<LeaseDecision> DecideLeases(IEnumerable<(string WorkerId, string Node, string Device)> workers, DateTimeOffset now)
    {
        var taken = new HashSet<string>();
        var decisions = new List<LeaseDecision>();
        foreach (var (workerId, node, device) in workers)
        {
            var decision = LeaseFrom(workerId, node, device, now, taken, null);
            if (decision.Lease is { } lease)
            {
                taken.Add(lease.Key);
            }
            decisions.Add(decision);
        }
        return decisions;
    }

    /// <summary>
    /// The next lease of a worker that reported <paramref name="finished"/>, to be journaled with the result's events:
    /// only after a result that ends the worker's current lease, and only a trial that is ready already (one the
    /// result makes ready, such as a generator's walks, is leased when the worker asks).
    /// </summary>
    public LeaseDecision DecideNextLease(TrialFinished finished, CompletionDecision result, DateTimeOffset now)
    {
        if (result.Outcome is not (CompletionOutcome.Accepted or CompletionOutcome.Failed) || result.Events.Any(e => e is SweepAborted)
            || _leaseByWorker.GetValueOrDefault(finished.WorkerId) != finished.Key)
        {
            return LeaseDecision.None("no lease follows this result");
        }
        var decision = LeaseFrom(finished.WorkerId, finished.Node, finished.Device, now, [], finished.Key);
        return decision.Lease is null ? LeaseDecision.None(decision.WhyNone) : decision;
    }

    private LeaseDecision LeaseFrom(string workerId, string node, string device, DateTimeOffset now, HashSet<string> taken, string? releasedKey)
    {
        if (_leaseByWorker.TryGetValue(workerId, out var held) && held != releasedKey)
        {
            // The worker asked again (its request or our answer was lost): repeat the lease, never hand out a second.
            var current = _entries[held];
            return new LeaseDecision(current, [new LeaseRenewed(current.Key, current.Attempts)], "");
        }
        if (IsAborted)
        {
            return LeaseDecision.None($"sweep stopped: {AbortReason}");
        }
        for (var node2 = _ready.First; node2 is not null; node2 = node2.Next)
        {
            var entry = _entries[node2.Value];
            if (taken.Contains(entry.Key) || !DevicePolicy.Fits(entry.Spec.Device, device))
            {
                continue;
            }
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            return new LeaseDecision(entry, [new TrialLeased(entry.Key, entry.Attempts + 1, workerId, node, device, token)], "",
                now - entry.ReadySince);
        }
        var waiting = Count(TrialState.Pending);
        return LeaseDecision.None(waiting > 0
            ? $"{waiting} pending trial(s) wait for their generators or need another device"
            : "every trial is leased or finished");
    }

    /// <summary>
    /// Why a worker of <paramref name="runner"/> can get no work in this sweep, or null when it can: a sweep takes
    /// results of its own runner only, so a synthetic node never fills a real sweep's tables.
    /// </summary>
    public string? RefusesRunner(string runner) => runner == Options.Runner
        ? null
        : $"runner '{runner}' refused: this sweep runs '{Options.Runner}' (start the node with --runner {Options.Runner})";

    /// <summary>The renewal of a lease by a heartbeat, or null when it is not the trial's current lease or not its token (the worker should stop).</summary>
    public LeaseRenewed? DecideHeartbeat(string key, int attempt, string token, double progress) =>
        _entries.TryGetValue(key, out var entry) && entry.State == TrialState.Leased && entry.Attempts == attempt
            && entry.Token.Length > 0 && entry.Token == token
            ? new LeaseRenewed(key, attempt, progress)
            : null;

    /// <summary>
    /// Decides on a reported result. It counts only with the token of a lease this ledger issued for that trial and
    /// attempt, from the sweep's runner, with paths where the trial's files belong (and, given <paramref name="present"/>,
    /// files that are there: their SHA-256 is the worker's, checked when a coordinator recovers); anything else is
    /// refused. A success is accepted once, from the current lease or an earlier one presumed dead, and only while the
    /// trial is not done (a trial failed for good still takes it: the work is done); any later one is a duplicate. A
    /// failure counts only for the current lease.
    /// </summary>
    public CompletionDecision DecideResult(TrialFinished finished, Func<PublishedFile, bool>? present = null)
    {
        if (!_entries.TryGetValue(finished.Key, out var entry))
        {
            return new CompletionDecision(CompletionOutcome.Refused, [], $"trial {finished.Key} is not in this sweep");
        }
        // A lease journaled before tokens existed has an empty one, which no result can prove it holds.
        if (!entry.Tokens.TryGetValue(finished.Attempt, out var issued) || issued.Length == 0 || issued != finished.Token)
        {
            return new CompletionDecision(CompletionOutcome.Refused, [],
                $"{finished.Key} attempt {finished.Attempt}: token '{finished.Token}' was not issued for it");
        }
        if (finished.Runner != Options.Runner)
        {
            return new CompletionDecision(CompletionOutcome.Refused, [],
                $"{finished.Key} attempt {finished.Attempt}: made by runner '{finished.Runner}', this sweep runs '{Options.Runner}'");
        }
        var current = entry.State == TrialState.Leased && entry.Attempts == finished.Attempt;
        if (finished.Succeeded)
        {
            if (entry.State == TrialState.Done)
            {
                return new CompletionDecision(CompletionOutcome.Duplicate, []);
            }
            if (entry.FilesToRemove is not null)
            {
                // Its old files are being removed; a result published now would go with them.
                return new CompletionDecision(CompletionOutcome.Stale, [], $"{finished.Key} attempt {finished.Attempt}: the trial was reset");
            }
            var files = finished.Files ?? [];
            var badPath = files.Select(f => ResultPathProblem(entry.Spec, f)).FirstOrDefault(p => p is not null);
            if (badPath is not null)
            {
                return new CompletionDecision(CompletionOutcome.Refused, [], $"{finished.Key} attempt {finished.Attempt}: {badPath}");
            }
            var missing = present is null ? null : files.FirstOrDefault(f => !present(f));
            if (missing is not null)
            {
                return new CompletionDecision(CompletionOutcome.Refused, [],
                    $"{finished.Key} attempt {finished.Attempt}: {missing.Path} is not there");
            }
            var succeeded = new TrialSucceeded(entry.Key, finished.Attempt, finished.WorkerId, finished.Node, finished.Device,
                files, finished.WallSeconds, finished.Throughput, finished.ThroughputUnit, current ? "lease" : "late",
                finished.Token!, finished.Runner);
            return new CompletionDecision(CompletionOutcome.Accepted, [succeeded]);
        }
        if (!current)
        {
            return new CompletionDecision(CompletionOutcome.Stale, []);
        }
        return new CompletionDecision(CompletionOutcome.Failed, FailureEvents(entry, finished.Error, aborting: false));
    }

    /// <summary>Fails every lease whose deadline has passed (its worker stopped heartbeating).</summary>
    public IReadOnlyList<ILedgerEvent> DecideExpiries(DateTimeOffset now)
    {
        var events = new List<ILedgerEvent>();
        foreach (var entry in _ordered.Where(e => e.State == TrialState.Leased && e.Deadline < now))
        {
            events.AddRange(FailureEvents(entry,
                $"lease expired: no heartbeat from {entry.WorkerId} for {Options.LeaseTimeout.TotalSeconds:0.#} s",
                aborting: events.Any(e => e is SweepAborted)));
        }
        return events;
    }

    /// <summary>Fails the lease a lost worker held at once, without waiting for its deadline.</summary>
    public IReadOnlyList<ILedgerEvent> DecideWorkerLost(string workerId, string reason) =>
        _leaseByWorker.TryGetValue(workerId, out var key)
            ? FailureEvents(_entries[key], $"worker {workerId} lost: {reason}", aborting: false)
            : [];

    /// <summary>Stops the sweep (no new leases), unless it is stopped already.</summary>
    public IReadOnlyList<ILedgerEvent> DecideAbort(string reason) => IsAborted ? [] : [new SweepAborted(reason)];

    /// <summary>
    /// After replaying the journal: leases from before the restart get a fresh deadline, so that workers still
    /// running them can reconnect and heartbeat instead of having their trials run a second time.
    /// </summary>
    public IReadOnlyList<ILedgerEvent> DecideRecovery() =>
        _ordered.Where(e => e.State == TrialState.Leased).Select(e => (ILedgerEvent)new LeaseRenewed(e.Key, e.Attempts)).ToList();

    /// <summary>
    /// How the ledger comes to agree with the files (a resume asks after replaying the journal). A done trial is
    /// pending again when a recorded file is gone or its SHA-256 changed, when its result came from another runner
    /// than the sweep's, or when a generator checkpoint it was made with is reset: a generator is redone, then the
    /// walks that use it. An unfinished trial whose worker published a complete result (a manifest carrying a token
    /// this ledger issued, from the sweep's runner, with intact files) is done.
    /// </summary>
    public IReadOnlyList<ILedgerEvent> DecideReconcile(Func<string, TrialFinished?> manifest, Func<PublishedFile, bool> intact)
    {
        var events = new List<ILedgerEvent>();
        var redo = new HashSet<string>();
        foreach (var entry in _ordered.Where(e => e.State == TrialState.Done))
        {
            var why = DoneProblem(entry, manifest, intact);
            if (why is not null)
            {
                redo.Add(entry.Key);
                events.Add(new TrialReset(entry.Key, why, entry.Files));
            }
        }
        // A walk made with a generator that is redone is redone too, whatever became of it.
        foreach (var entry in _ordered.Where(e => redo.Contains(e.Spec.DependsOn) && e.State is TrialState.Done or TrialState.Failed))
        {
            redo.Add(entry.Key);
            events.Add(new TrialReset(entry.Key, $"its generator {entry.Spec.DependsOn} is redone", entry.Files));
        }
        // A trial being redone is not adopted from its files: they are about to be removed.
        foreach (var entry in _ordered.Where(e => e.State is not TrialState.Done && e.BlockedBy is null && e.FilesToRemove is null))
        {
            var found = manifest(entry.Key);
            if (found is { Succeeded: true } && found.Runner == Options.Runner
                && entry.Tokens.TryGetValue(found.Attempt, out var issued) && issued.Length > 0 && issued == found.Token
                && (found.Files ?? []).All(f => SafeRelativePath(f.Path) && intact(f))
                && (entry.Spec.DependsOn.Length == 0
                    || (_entries[entry.Spec.DependsOn].State == TrialState.Done && !redo.Contains(entry.Spec.DependsOn))))
            {
                events.Add(new TrialSucceeded(entry.Key, found.Attempt, found.WorkerId, found.Node, found.Device,
                    found.Files!, found.WallSeconds, found.Throughput, found.ThroughputUnit, "found on disk", found.Token!, found.Runner));
            }
        }
        return events;
    }

    /// <summary>The files of every done trial as recorded, each with its worker's SHA-256: what a recovery checks on disk.</summary>
    public IReadOnlyList<PublishedFile> RecordedFiles() => _ordered.Where(e => e.State == TrialState.Done).SelectMany(e => e.Files).ToList();

    private string? DoneProblem(LedgerEntry entry, Func<string, TrialFinished?> manifest, Func<PublishedFile, bool> intact)
    {
        if (entry.Runner != Options.Runner)
        {
            return entry.Runner.Length == 0
                ? $"its result records no runner (journaled before runners were recorded); this sweep runs '{Options.Runner}'"
                : $"its result was made by runner '{entry.Runner}'; this sweep runs '{Options.Runner}'";
        }
        if (entry.Spec.Kind == "generator" && !entry.Files.Any(f => f.Table == PublishedFile.ArtifactTable))
        {
            return "its checkpoint files were not recorded with checksums";
        }
        var broken = entry.Files.FirstOrDefault(f => !intact(f));
        if (broken is null)
        {
            return null;
        }
        // Compaction moves rows into merged files and rewrites the manifests: those count as intact too.
        if (broken.Table != PublishedFile.ArtifactTable && manifest(entry.Key) is { Succeeded: true } moved
            && moved.Files.All(intact) && entry.Files.Where(f => f.Table == PublishedFile.ArtifactTable).All(intact))
        {
            return null;
        }
        return broken.Table == PublishedFile.ArtifactTable
            ? $"checkpoint file {broken.Path} is missing or altered"
            : $"result file {broken.Path} is missing or altered";
    }

    private static readonly Regex TableName = new("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant);

    /// <summary>True for a relative path inside its base folder: not rooted, no `..`, no empty or `.` segment.</summary>
    public static bool SafeRelativePath(string? path) =>
        !string.IsNullOrEmpty(path) && !Path.IsPathRooted(path) && !path.Contains('\\') && !path.Contains('\0')
        && path.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != "..");

    /// <summary>Why a reported file is not where the trial's files belong, or null when it is.</summary>
    public static string? ResultPathProblem(TrialSpec trial, PublishedFile? file)
    {
        if (file is null)
        {
            return "a file entry is empty (no path)";
        }
        if (!SafeRelativePath(file.Path))
        {
            return $"path '{file.Path}' is not a relative path inside the sweep folder";
        }
        if (file.Table == PublishedFile.ArtifactTable)
        {
            return trial.Kind == "generator" && file.Path.StartsWith(trial.Key + "/", StringComparison.Ordinal)
                ? null
                : $"checkpoint path '{file.Path}' is not in this trial's checkpoint folder {trial.Key}/";
        }
        if (!TableName.IsMatch(file.Table ?? ""))
        {
            return $"table '{file.Table}' is not a table name";
        }
        var expected = SweepLayout.TableFilePath(file.Table!, trial).Replace('\\', '/');
        return file.Path == expected ? null : $"path '{file.Path}' is not this trial's file of table {file.Table} ({expected})";
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
                entry.Token = leased.Token ?? "";
                entry.Tokens[leased.Attempt] = entry.Token;
                // A journal written before removals were recorded removed a reset's files before leasing it again.
                entry.FilesToRemove = null;
                _leaseByWorker[leased.WorkerId] = entry.Key;
                break;
            case LeaseRenewed renewed when _entries.TryGetValue(renewed.Key, out var entry)
                && entry.State == TrialState.Leased && entry.Attempts == renewed.Attempt:
                entry.Deadline = now + Options.LeaseTimeout;
                entry.Progress = renewed.Progress ?? entry.Progress;
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
                entry.FilesToRemove = null;
                entry.WallSeconds = succeeded.WallSeconds;
                entry.Throughput = succeeded.Throughput;
                entry.ThroughputUnit = succeeded.ThroughputUnit;
                entry.How = succeeded.How;
                entry.Runner = succeeded.Runner ?? "";
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
                ReleaseLease(entry);
                RemoveFromReady(entry);
                entry.State = TrialState.Pending;
                entry.FilesToRemove = reset.Files ?? [];
                entry.Files = [];
                entry.Runner = "";
                entry.BlockedBy = null;
                entry.AttemptsBeforeReset = entry.Attempts;
                entry.Error = reset.Reason;
                // Walks waiting for a generator that is to be redone wait again.
                foreach (var dependent in _dependents.GetValueOrDefault(entry.Key) ?? [])
                {
                    if (dependent.State == TrialState.Pending)
                    {
                        RemoveFromReady(dependent);
                    }
                }
                break;
            case TrialFilesRemoved removed when _entries.TryGetValue(removed.Key, out var entry):
                entry.FilesToRemove = null;
                MarkReadyIfPossible(entry, now);
                break;
            case SweepAborted aborted when !IsAborted:
                IsAborted = true;
                AbortReason = aborted.Reason;
                break;
        }
    }

    /// <summary>The events of a failed attempt: retried, or failed for good with its walks blocked (and the sweep stopped under fail-fast).</summary>
    private List<ILedgerEvent> FailureEvents(LedgerEntry entry, string error, bool aborting)
    {
        var final = entry.Attempts - entry.AttemptsBeforeReset > Options.MaxRetries;
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
            if (Options.FailFast && !IsAborted && !aborting)
            {
                events.Add(new SweepAborted($"trial {entry.Key} ({entry.Spec.Label}) failed after {entry.Attempts} attempt(s): {error}"));
            }
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
        if (entry.State != TrialState.Pending || entry.ReadyNode is not null || entry.BlockedBy is not null || entry.FilesToRemove is not null)
        {
            return;
        }
        if (entry.Spec.DependsOn.Length > 0 && _entries[entry.Spec.DependsOn].State != TrialState.Done)
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
}
