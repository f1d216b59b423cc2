using Steerability.GpuNode.Contract;
using Steerability.GpuNode.Trials;
using System.Text.Json.Serialization;
using Parquet.Serialization;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Results;

/// <summary>The `trials` table: one row per trial with its configuration, status, attempts, placement and timing.</summary>
public static class TrialsTable
{
    public const string Name = "trials";

    public static string PathIn(string sweepDir) => Path.Combine(sweepDir, Name, "trials.parquet");

    /// <summary>The table's rows as the ledger stands now: a snapshot, to be written while the ledger moves on.</summary>
    public static IReadOnlyList<TrialRow> Rows(IEnumerable<LedgerEntry> entries) =>
        entries.Select(e => new TrialRow
        {
            Key = e.Key,
            Kind = e.Spec.Kind,
            Model = e.Spec.Model,
            Class = (e.Spec as WalkTrial)?.Class ?? "",
            Transform = e.Spec.Transform,
            Walk = e.Spec.WalkType,
            Regime = e.Spec.Regime,
            Seed = e.Spec.Seed,
            Config = e.Spec.ToJson(),
            Status = e.State.ToString().ToLowerInvariant(),
            Attempts = e.Attempts,
            Node = e.Node,
            Device = e.Device,
            WallSeconds = e.WallSeconds,
            Throughput = e.Throughput,
            ThroughputUnit = e.ThroughputUnit,
            Error = e.Error,
            Result = e.How,
            Runner = e.Runner,
        }).ToList();

    /// <summary>Rewrites the whole table atomically (it is small: one row per trial).</summary>
    public static async Task WriteAsync(string sweepDir, IReadOnlyList<TrialRow> rows)
    {
        var path = PathIn(sweepDir);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await AtomicFile.WriteAsync(path, stream => ParquetSerializer.SerializeAsync(rows, stream));
    }
}

/// <summary>A row of the trials table.</summary>
public sealed class TrialRow
{
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("transform")] public string Transform { get; set; } = "";
    [JsonPropertyName("walk")] public string Walk { get; set; } = "";
    [JsonPropertyName("regime")] public string Regime { get; set; } = "";
    [JsonPropertyName("seed")] public int Seed { get; set; }
    [JsonPropertyName("config")] public string Config { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("attempts")] public int Attempts { get; set; }
    [JsonPropertyName("node")] public string Node { get; set; } = "";
    [JsonPropertyName("device")] public string Device { get; set; } = "";
    [JsonPropertyName("wall_seconds")] public double WallSeconds { get; set; }
    [JsonPropertyName("throughput")] public double Throughput { get; set; }
    [JsonPropertyName("throughput_unit")] public string ThroughputUnit { get; set; } = "";
    [JsonPropertyName("error")] public string Error { get; set; } = "";
    /// <summary>How the result was taken: `lease`, `late` (from a lease presumed dead) or `found on disk`.</summary>
    [JsonPropertyName("result")] public string Result { get; set; } = "";
    /// <summary>The runner that made the accepted result (`walk`, `synthetic`, `nowork`); empty while not done.</summary>
    [JsonPropertyName("runner")] public string Runner { get; set; } = "";
}
