using Steerability.GpuNode.Protocol;

namespace Steerability.Coordinator.Sweeps;

/// <summary>A change of the sweep ledger; the coordinator journals these and replays them to recover.</summary>
public interface ILedgerEvent;

/// <summary>A trial was handed to a worker; <see cref="Attempt"/> names the lease.</summary>
public sealed record TrialLeased(string Key, int Attempt, string WorkerId, string Node, string Device) : ILedgerEvent;

/// <summary>A trial's result was accepted (from its current lease, a late one, or found on disk when resuming).</summary>
public sealed record TrialSucceeded(string Key, int Attempt, string WorkerId, string Node, string Device,
    PublishedFile[] Files, double WallSeconds, double Throughput, string ThroughputUnit, string How) : ILedgerEvent;

/// <summary>An attempt failed (error, lease expired, worker lost); <see cref="Final"/> when no retry is left.</summary>
public sealed record TrialAttemptFailed(string Key, int Attempt, string Error, bool Final) : ILedgerEvent;

/// <summary>A trial cannot run because a trial it needs failed for good.</summary>
public sealed record TrialBlocked(string Key, string BlockedBy) : ILedgerEvent;

/// <summary>A done trial's result files are missing or altered: it is pending again.</summary>
public sealed record TrialReset(string Key, string Reason) : ILedgerEvent;

/// <summary>Fail-fast stopped the sweep: no new leases; running ones may still finish.</summary>
public sealed record SweepAborted(string Reason) : ILedgerEvent;
