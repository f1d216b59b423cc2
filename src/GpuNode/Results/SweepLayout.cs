using Steerability.GpuNode.Contract;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Results;

/// <summary>Where things live in a sweep folder; the one place that knows the layout, shared by nodes and coordinator.</summary>
/// <remarks>
/// `TABLE/transform=T/walk=W/regime=R/KEY.parquet` (Hive partitions with few values per level, so DuckDB prunes
/// them), `_work/KEY/` for attempts and the result manifest, `trials/trials.parquet`, `sweep.json`, `ledger.db`.
/// </remarks>
public static class SweepLayout
{
    public const string WorkFolder = "_work";
    public const string ManifestName = "result.json";
    public const string FilesFolder = "files";

    /// <summary>The partition folder of a trial's rows in a table, relative to the sweep folder.</summary>
    public static string PartitionPath(string table, TrialSpec trial) =>
        Path.Combine(table, $"transform={Value(trial.Transform)}", $"walk={Value(trial.WalkType)}", $"regime={Value(trial.Regime)}");

    /// <summary>A trial's file in a table: named by the trial key, so a second publication replaces, never adds.</summary>
    public static string TableFilePath(string table, TrialSpec trial) =>
        Path.Combine(PartitionPath(table, trial), trial.Key + ".parquet");

    /// <summary>The folder of a trial's files other than tables, in the same partitions as its table rows.</summary>
    public static string TrialFilesDir(string sweepDir, TrialSpec trial) =>
        Path.Combine(sweepDir, PartitionPath(FilesFolder, trial), trial.Key);

    public static string TrialWorkDir(string sweepDir, string key) => Path.Combine(sweepDir, WorkFolder, key);

    public static string ManifestPath(string sweepDir, string key) => Path.Combine(TrialWorkDir(sweepDir, key), ManifestName);

    /// <summary>Empty values (a generator has no walk) become `none`, which Hive readers treat as an ordinary value.</summary>
    private static string Value(string value) => value.Length == 0 ? "none" : value;
}
