using Steerability.GpuNode.Contract;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Results;

/// <summary>
/// Keeps a finished attempt's files other than tables (the walk strip a report shows, the walk's weights) under
/// `files/…/KEY/`: moved into a temporary folder beside the target and renamed into place, so a reader sees one
/// attempt's files whole, never a mix. When another attempt's files are there already, they stay (same key, same
/// configuration) and this attempt's are dropped: two attempts never write the same final folder.
/// </summary>
public static class TrialFilesPublisher
{
    /// <summary>Moves every non-Parquet file of <paramref name="attemptDir"/>; returns the folder, or null when there were none.</summary>
    public static string? Publish(string sweepDir, TrialSpec trial, string attemptDir)
    {
        var files = Directory.EnumerateFiles(attemptDir).Where(f => !f.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        if (files.Count == 0)
        {
            return null;
        }
        var target = SweepLayout.TrialFilesDir(sweepDir, trial);
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{trial.Key}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        foreach (var file in files)
        {
            var moved = Path.Combine(staging, Path.GetFileName(file));
            File.Move(file, moved);
            Durable.FlushFile(moved);
        }
        Durable.FlushFolder(staging);
        try
        {
            Directory.Move(staging, target);
            Durable.FlushFolder(parent);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            Directory.Delete(staging, recursive: true);
        }
        return target;
    }
}
