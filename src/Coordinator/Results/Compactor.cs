using Steerability.GpuNode.Contract;
using System.Text.Json;
using DuckDB.NET.Data;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Results;

/// <summary>
/// Merges the one-file-per-trial Parquet files of each partition into one file, so that queries over large sweeps
/// open a few files instead of thousands. Each trial's manifest is rewritten to point at the merged file, so a
/// resumed sweep still recognises its results.
/// </summary>
/// <remarks>
/// Killed at any point (kill -9, power cut), it loses and duplicates no row once finished by the next `steer compact`,
/// `steer run` or `steer coordinator` (<see cref="Recover"/>). Per partition: the merged file is written under a
/// temporary name and flushed; an intent (`.compaction-ID.json`: the merged file and the files it replaces) is written
/// and flushed; the merged file is renamed into place; manifests are rewritten; the replaced files are deleted; the
/// intent is deleted. Recovery rolls an intent forward when its merged file is in place, else back.
/// </remarks>
public static class Compactor
{
    public sealed record Report(int Partitions, int FilesMerged);

    /// <summary>What a partition's compaction is about to do; paths relative to the sweep folder.</summary>
    private sealed record Intent(string Target, string Temporary, List<string> Sources);

    private const string IntentPrefix = ".compaction-";

    private static readonly JsonSerializerOptions IntentOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <param name="step">Called with the name of each step as it is reached (tests stop a compaction there).</param>
    public static async Task<Report> CompactAsync(string sweepDir, CancellationToken ct = default, Action<string>? step = null)
    {
        Recover(sweepDir);
        var partitions = 0;
        var merged = 0;
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(ct);
        foreach (var table in SweepQuery.Tables(sweepDir).Where(t => t != TrialsTable.Name))
        {
            var leaves = Directory.EnumerateFiles(Path.Combine(sweepDir, table), "*.parquet", SearchOption.AllDirectories)
                .GroupBy(Path.GetDirectoryName)
                .Where(g => g.Count() > 1)
                .ToList();
            foreach (var leaf in leaves)
            {
                // Between leaves only: once its intent is written, a leaf is finished whatever happens.
                ct.ThrowIfCancellationRequested();
                var files = leaf.Order(StringComparer.Ordinal).ToList();
                var folder = leaf.Key!;
                var id = Guid.NewGuid().ToString("N");
                var target = Path.Combine(folder, $"compacted-{id}.parquet");
                var temp = Path.Combine(folder, $".compacted-{id}.parquet.tmp");
                var list = string.Join(", ", files.Select(f => $"'{f.Replace("'", "''")}'"));
                try
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = $"COPY (SELECT * FROM read_parquet([{list}], union_by_name = true)) TO '{temp.Replace("'", "''")}' (FORMAT PARQUET)";
                    await command.ExecuteNonQueryAsync(ct);
                }
                catch (OperationCanceledException)
                {
                    // A stopped merge leaves no temporary file behind (the sources are untouched).
                    File.Delete(temp);
                    throw;
                }
                Durable.FlushFile(temp);
                step?.Invoke("merged");
                var intent = new Intent(Relative(sweepDir, target), Relative(sweepDir, temp), files.Select(f => Relative(sweepDir, f)).ToList());
                var intentPath = Path.Combine(folder, $"{IntentPrefix}{id}.json");
                AtomicFile.WriteAllText(intentPath, JsonSerializer.Serialize(intent, IntentOptions));
                step?.Invoke("intent");
                Durable.Move(temp, target, overwrite: false);
                step?.Invoke("renamed");
                Finish(sweepDir, intent, intentPath, step);
                partitions++;
                merged += files.Count;
            }
        }
        return new Report(partitions, merged);
    }

    /// <summary>Finishes or undoes every compaction a killed process left (found by its intent file).</summary>
    public static void Recover(string sweepDir)
    {
        foreach (var table in SweepQuery.Tables(sweepDir).Where(t => t != TrialsTable.Name))
        {
            foreach (var intentPath in Directory.EnumerateFiles(Path.Combine(sweepDir, table), IntentPrefix + "*.json", SearchOption.AllDirectories).ToList())
            {
                var intent = JsonSerializer.Deserialize<Intent>(File.ReadAllText(intentPath), IntentOptions)!;
                if (File.Exists(Path.Combine(sweepDir, intent.Target)))
                {
                    Finish(sweepDir, intent, intentPath, null);
                }
                else
                {
                    File.Delete(Path.Combine(sweepDir, intent.Temporary));
                    File.Delete(intentPath);
                    Durable.FlushFolder(Path.GetDirectoryName(intentPath)!);
                }
            }
        }
        // A merge killed before its intent was written leaves only a temporary file: nothing refers to it.
        foreach (var table in SweepQuery.Tables(sweepDir).Where(t => t != TrialsTable.Name))
        {
            foreach (var temp in Directory.EnumerateFiles(Path.Combine(sweepDir, table), ".compacted-*.parquet.tmp", SearchOption.AllDirectories).ToList())
            {
                var id = Path.GetFileName(temp)[".compacted-".Length..^".parquet.tmp".Length];
                if (!File.Exists(Path.Combine(Path.GetDirectoryName(temp)!, $"{IntentPrefix}{id}.json")))
                {
                    File.Delete(temp);
                }
            }
        }
    }

    /// <summary>The steps after the rename, each safe to repeat: manifests point at the merged file, sources go.</summary>
    private static void Finish(string sweepDir, Intent intent, string intentPath, Action<string>? step)
    {
        var target = Path.Combine(sweepDir, intent.Target);
        var sha = TablePublisher.Sha256Async(target, CancellationToken.None).GetAwaiter().GetResult();
        var sources = intent.Sources.ToHashSet();
        foreach (var manifest in Manifests(sweepDir).Where(m => m.Files.Any(f => sources.Contains(f.Path))))
        {
            var moved = manifest.Files
                .Select(f => sources.Contains(f.Path) ? new PublishedFile(f.Table, intent.Target, f.Rows, sha) : f)
                .ToArray();
            TablePublisher.WriteManifest(sweepDir, manifest with { Files = moved });
            step?.Invoke("manifest");
        }
        foreach (var source in intent.Sources)
        {
            File.Delete(Path.Combine(sweepDir, source));
            step?.Invoke("deleted");
        }
        Durable.FlushFolder(Path.GetDirectoryName(target)!);
        File.Delete(intentPath);
        Durable.FlushFolder(Path.GetDirectoryName(intentPath)!);
        step?.Invoke("done");
    }

    private static IEnumerable<TrialFinished> Manifests(string sweepDir)
    {
        var work = Path.Combine(sweepDir, SweepLayout.WorkFolder);
        return (Directory.Exists(work) ? Directory.EnumerateDirectories(work) : [])
            .Select(dir => TablePublisher.ReadManifest(sweepDir, Path.GetFileName(dir)))
            .OfType<TrialFinished>()
            .ToList();
    }

    private static string Relative(string sweepDir, string path) => Path.GetRelativePath(sweepDir, path).Replace('\\', '/');
}
