using Steerability.GpuNode.Contract;


namespace Steerability.Coordinator.Sweeps;

/// <summary>A change of the sweep ledger; the coordinator journals these (but <see cref="ITransientLedgerEvent"/>s) and replays them to recover.</summary>
public interface ILedgerEvent;

/// <summary>A change applied but never journaled: a recovered ledger renews every lease anyway.</summary>
public interface ITransientLedgerEvent : ILedgerEvent;

/// <summary>A lease's deadline moved on (a heartbeat, a repeated work request, a recovery); a heartbeat carries the progress.</summary>
public sealed record LeaseRenewed(string Key, int Attempt, double? Progress = null) : ITransientLedgerEvent;

/// <summary>A trial was handed to a worker; <see cref="Attempt"/> numbers the lease and <see cref="Token"/> fences it.</summary>
/// <param name="Token">Random, issued by the ledger: only messages carrying it count for this lease.</param>
public sealed record TrialLeased(string Key, int Attempt, string WorkerId, string Node, string Device, string Token = "") : ILedgerEvent;

/// <summary>A trial's result was accepted (from its current lease, a late one, or found on disk when resuming).</summary>
/// <param name="Files">Its result files and, for a generator, its checkpoint files, each with its SHA-256.</param>
/// <param name="Runner">The runner that made it; a sweep of another runner does not count it as done.</param>
public sealed record TrialSucceeded(string Key, int Attempt, string WorkerId, string Node, string Device,
    PublishedFile[] Files, double WallSeconds, double Throughput, string ThroughputUnit, string How,
    string Token = "", string Runner = "") : ILedgerEvent;

/// <summary>An attempt failed (error, lease expired, worker lost); <see cref="Final"/> when no retry is left.</summary>
public sealed record TrialAttemptFailed(string Key, int Attempt, string Error, bool Final) : ILedgerEvent;

/// <summary>A trial cannot run because a trial it needs failed for good.</summary>
public sealed record TrialBlocked(string Key, string BlockedBy) : ILedgerEvent;

/// <summary>A done trial's result files are missing or altered (or its generator's are): it is pending again.</summary>
/// <param name="Files">The files it had, for the coordinator to remove before the trial runs again.</param>
public sealed record TrialReset(string Key, string Reason, PublishedFile[]? Files = null) : ILedgerEvent;

/// <summary>The files a reset trial left are removed: it may be leased again (a reset without this is removed again on recovery).</summary>
public sealed record TrialFilesRemoved(string Key) : ILedgerEvent;

/// <summary>Fail-fast stopped the sweep: no new leases; running ones may still finish.</summary>
public sealed record SweepAborted(string Reason) : ILedgerEvent;
