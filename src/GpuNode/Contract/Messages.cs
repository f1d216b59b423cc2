namespace Steerability.GpuNode.Contract;

/// <summary>Marks the messages between coordinator and workers, all bound to <see cref="SweepMessageSerializer"/>.</summary>
/// <remarks>Messages carry keys, paths, counts and checksums only: result data never travels through actors.</remarks>
public interface ISweepMessage;

/// <summary>A worker is free and asks for a trial (work pulling: the coordinator never pushes unrequested work).</summary>
/// <param name="WorkerId">Unique per worker start (node, device and a random nonce), so a restarted node is a new worker.</param>
/// <param name="Runner">The trial runner this worker runs (`walk`, `synthetic`, `nowork`); a sweep takes only its own.</param>
public sealed record WorkRequest(string WorkerId, string Node, string Device, string Runner = "") : ISweepMessage;

/// <summary>This worker can never get work in this sweep (e.g. it runs another runner than the sweep's): it stops.</summary>
public sealed record WorkRefused(string Reason) : ISweepMessage;

/// <summary>A trial handed to one worker until <see cref="DeadlineSeconds"/> from now unless renewed by heartbeats.</summary>
/// <param name="Attempt">1 for the first lease of a trial, 2 for its first retry, ...; names this lease.</param>
/// <param name="GeneratorDir">The checkpoint folder of the generator a walk needs, if any.</param>
/// <param name="Token">The attempt token the ledger issued for this lease: heartbeats and results count only with it.</param>
public sealed record TrialLease(string Key, int Attempt, string TrialJson, string SweepDir, string ArtifactDir,
    string? GeneratorDir, double DeadlineSeconds, string Token = "") : ISweepMessage;

/// <summary>No trial is ready now (its dependencies are running); the worker asks again shortly.</summary>
public sealed record NoWorkYet(string Reason) : ISweepMessage;

/// <summary>Every trial is done or failed (or the sweep stopped on a failure): the worker stops.</summary>
public sealed record SweepComplete(bool Succeeded, string Summary) : ISweepMessage;

/// <summary>A worker still runs a leased trial; renews the lease's deadline.</summary>
public sealed record TrialHeartbeat(string Key, int Attempt, string WorkerId, double Progress, string Token = "") : ISweepMessage;

/// <summary>The lease a heartbeat renews is no longer current (the trial finished elsewhere): stop working on it.</summary>
public sealed record LeaseRevoked(string Key, int Attempt, string Reason) : ISweepMessage;

/// <summary>A result file a worker published: its table, path relative to the sweep folder, rows and SHA-256.</summary>
/// <remarks>Table <see cref="ArtifactTable"/> is a file of a generator checkpoint, its path relative to the artifact
/// folder (`KEY/generator.safetensors`); every other table's path is relative to the sweep folder.</remarks>
public sealed record PublishedFile(string Table, string Path, long Rows, string Sha256)
{
    public const string ArtifactTable = "artifact";
}

/// <summary>A leased trial ended; sent until acknowledged, since the coordinator may be moving or restarting.</summary>
/// <param name="Token">The token of the lease this attempt ran under; a result with any other token is refused.</param>
/// <param name="Runner">The runner that made the result; a sweep accepts only results of its own runner.</param>
public sealed record TrialFinished(string Key, int Attempt, string WorkerId, string Node, string Device,
    bool Succeeded, string Error, PublishedFile[] Files, double WallSeconds, double Throughput,
    string ThroughputUnit, string Token = "", string Runner = "") : ISweepMessage;

/// <summary>The coordinator recorded a <see cref="TrialFinished"/> (accepted, or ignored as a duplicate).</summary>
/// <param name="LeaseFollows">True when the coordinator leased the worker's next trial with the result and sends it
/// right after this acknowledgement: the worker then does not ask (it asks again only if no lease comes in time).</param>
public sealed record TrialFinishedAck(string Key, int Attempt, bool LeaseFollows = false) : ISweepMessage;
