using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Results;

/// <summary>
/// Keeps a finished attempt's files other than tables (the walk strip a report shows, the walk's weights) under
/// `files/…/KEY/`: moved into a temporary folder beside the target and renamed into place, so a reader sees the
/// previous attempt's files or this one's, never a mix.
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
            File.Move(file, Path.Combine(staging, Path.GetFileName(file)));
        }
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }
        Directory.Move(staging, target);
        return target;
    }
}
