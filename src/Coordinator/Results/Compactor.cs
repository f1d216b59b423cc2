using DuckDB.NET.Data;
using Steerability.GpuNode.Protocol;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Results;

/// <summary>
/// Merges the one-file-per-trial Parquet files of each partition into one file, so that queries over large sweeps
/// open a few files instead of thousands. Each trial's manifest is rewritten to point at the merged file, so a
/// resumed sweep still recognises its results; the small files are deleted only after the merged one is in place.
/// </summary>
public static class Compactor
{
    public sealed record Report(int Partitions, int FilesMerged);

    public static async Task<Report> CompactAsync(string sweepDir, CancellationToken ct = default)
    {
        var partitions = 0;
        var merged = 0;
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(ct);
        // Which trials' manifests point at each file (a compacted file holds many trials).
        var work = Path.Combine(sweepDir, SweepLayout.WorkFolder);
        var keysByFile = (Directory.Exists(work) ? Directory.EnumerateDirectories(work) : [])
            .Select(dir => TablePublisher.ReadManifest(sweepDir, Path.GetFileName(dir)))
            .OfType<TrialFinished>()
            .SelectMany(m => m.Files.Select(f => (f.Path, m.Key)))
            .GroupBy(pair => pair.Path)
            .ToDictionary(g => g.Key, g => g.Select(pair => pair.Key).ToList());
        foreach (var table in SweepQuery.Tables(sweepDir).Where(t => t != TrialsTable.Name))
        {
            var leaves = Directory.EnumerateFiles(Path.Combine(sweepDir, table), "*.parquet", SearchOption.AllDirectories)
                .GroupBy(Path.GetDirectoryName)
                .Where(g => g.Count() > 1);
            foreach (var leaf in leaves)
            {
                var files = leaf.Order(StringComparer.Ordinal).ToList();
                var folder = leaf.Key!;
                var target = Path.Combine(folder, $"compacted-{Guid.NewGuid():N}.parquet");
                var temp = Path.Combine(folder, $".{Path.GetFileName(target)}.tmp");
                var list = string.Join(", ", files.Select(f => $"'{f.Replace("'", "''")}'"));
                await using (var command = connection.CreateCommand())
                {
                    command.CommandText = $"COPY (SELECT * FROM read_parquet([{list}], union_by_name = true)) TO '{temp.Replace("'", "''")}' (FORMAT PARQUET)";
                    await command.ExecuteNonQueryAsync(ct);
                }
                File.Move(temp, target);
                var sha = await TablePublisher.Sha256Async(target, ct);
                var relative = Path.GetRelativePath(sweepDir, target);
                var olds = files.Select(f => Path.GetRelativePath(sweepDir, f)).ToHashSet();
                foreach (var key in olds.SelectMany(old => keysByFile.GetValueOrDefault(old) ?? []).Distinct().ToList())
                {
                    var manifest = TablePublisher.ReadManifest(sweepDir, key)!;
                    var moved = manifest.Files
                        .Select(f => olds.Contains(f.Path) ? new PublishedFile(f.Table, relative, f.Rows, sha) : f)
                        .ToArray();
                    TablePublisher.WriteManifest(sweepDir, manifest with { Files = moved });
                    foreach (var file in moved.Where(f => f.Path == relative))
                    {
                        (keysByFile.TryGetValue(relative, out var holders) ? holders : keysByFile[relative] = new List<string>()).Add(key);
                    }
                }
                foreach (var file in files)
                {
                    File.Delete(file);
                }
                partitions++;
                merged += files.Count;
            }
        }
        return new Report(partitions, merged);
    }
}
