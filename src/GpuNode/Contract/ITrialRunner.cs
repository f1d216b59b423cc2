using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Contract;

/// <summary>Runs one trial on this worker's device and writes its result tables into the given folder.</summary>
/// <remarks>
/// A runner writes each result table as `TABLE.parquet` (e.g. `alpha_metrics.parquet`) in
/// <see cref="TrialContext.OutputDir"/>, with <see cref="TrialContext.Origin"/>; the worker then moves those files, as
/// they are, into the sweep's partitioned tables.
/// A generator trial writes its checkpoint into <see cref="TrialContext.ArtifactDir"/> instead.
/// </remarks>
public interface ITrialRunner
{
    /// <summary>The runner's name in <see cref="TrialRunners.Names"/>; every row and result records it.</summary>
    string Name { get; }

    Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct);

    /// <summary>
    /// False for a runner that never writes a file (`nowork`): its attempts then get no attempt folder, publish nothing
    /// and write no manifest (which would be an fsynced file per trial recording no files). Every other runner: true.
    /// </summary>
    bool WritesFiles => true;
}

/// <summary>What a runner is given besides the trial: where to write, where dependencies are, how to report progress.</summary>
/// <param name="OutputDir">An empty folder for this attempt's result tables.</param>
/// <param name="ArtifactDir">For a generator trial, an empty folder its checkpoint goes to; published when it succeeds.</param>
/// <param name="GeneratorDir">For a walk trial with a generator dependency, the folder of that generator's checkpoint.</param>
/// <param name="Device">The worker's device spelling (`cpu`, `cuda:0`).</param>
/// <param name="Progress">Call now and then with the fraction done (0..1); it feeds live progress and heartbeats.</param>
/// <param name="Origin">
/// The trial and runner a sweep's rows name: tables are written with it (<see cref="Results.ParquetFile"/>) and then
/// published as they are. Null where no sweep publishes the tables (a command running trials itself).
/// </param>
public sealed record TrialContext(string OutputDir, string ArtifactDir, string? GeneratorDir, string Device,
    Action<double> Progress, Results.RowOrigin? Origin = null);

/// <summary>How a run ended, with throughput for the trials table (images or steps per second, 0 when unknown).</summary>
public sealed record TrialOutcome(double Throughput = 0, string ThroughputUnit = "");
