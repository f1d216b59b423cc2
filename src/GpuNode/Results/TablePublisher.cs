using System.Security.Cryptography;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;
using Steerability.GpuNode.Protocol;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Results;

/// <summary>
/// Moves a finished attempt's tables into the sweep's partitioned tables, adding `trial_key` and `runner` columns. Each
/// file is written whole in the attempt's own folder, flushed, then linked into place under a name no other attempt
/// can take: readers never see half a file, and when two attempts of one trial finish, the first to publish wins and
/// the other keeps its rows to itself (same key, same configuration: the published file is as good as its own).
/// </summary>
public static class TablePublisher
{
    public const string TrialKeyColumn = "trial_key";

    /// <summary>The runner that made a row (`walk`, `synthetic`, `nowork`): synthetic rows never pass for real ones.</summary>
    public const string RunnerColumn = "runner";

    private static readonly JsonSerializerOptions ManifestOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>
    /// Publishes every `TABLE.parquet` in <paramref name="attemptDir"/> (the runner's output); returns the files now in
    /// place, each with the SHA-256 of what lies there (this attempt's file, or an earlier attempt's it found).
    /// </summary>
    public static async Task<PublishedFile[]> PublishAsync(string sweepDir, TrialSpec trial, string attemptDir, string runner, CancellationToken ct)
    {
        var published = new List<PublishedFile>();
        foreach (var source in Directory.EnumerateFiles(attemptDir, "*.parquet").Order(StringComparer.Ordinal).ToList())
        {
            var table = Path.GetFileNameWithoutExtension(source);
            var relative = SweepLayout.TableFilePath(table, trial);
            var target = Path.Combine(sweepDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var staged = source + ".publish";
            var rows = await RewriteWithKeyAsync(source, staged, trial.Key, runner, ct);
            try
            {
                Durable.Move(staged, target, overwrite: false);
            }
            catch (IOException) when (File.Exists(target))
            {
                File.Delete(staged);
                rows = await RowCountAsync(target, ct);
            }
            published.Add(new PublishedFile(table, relative, rows, await Sha256Async(target, ct)));
        }
        return [.. published];
    }

    /// <summary>Writes the manifest that lets a restarted coordinator recognise the trial as done from its files.</summary>
    /// <remarks>Replaces any manifest there: for the compactor, which moves rows and rewrites manifests.</remarks>
    public static void WriteManifest(string sweepDir, TrialFinished finished)
    {
        var path = SweepLayout.ManifestPath(sweepDir, finished.Key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(finished, ManifestOptions));
    }

    /// <summary>Writes an attempt's manifest unless one is there already (an earlier attempt published first).</summary>
    public static bool PublishManifest(string sweepDir, TrialFinished finished)
    {
        var path = SweepLayout.ManifestPath(sweepDir, finished.Key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return AtomicFile.WriteAllText(path, JsonSerializer.Serialize(finished, ManifestOptions), overwrite: false);
    }

    public static TrialFinished? ReadManifest(string sweepDir, string key)
    {
        var path = SweepLayout.ManifestPath(sweepDir, key);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<TrialFinished>(File.ReadAllText(path), ManifestOptions);
        }
        catch (JsonException)
        {
            return null; // a manifest is written atomically; an unreadable one is treated as absent and the trial reruns
        }
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    private static async Task<long> RowCountAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct);
        return reader.Metadata?.NumRows ?? 0;
    }

    private static async Task<long> RewriteWithKeyAsync(string source, string target, string key, string runner, CancellationToken ct)
    {
        DeserializationResult<Dictionary<string, object>> data;
        await using (var input = File.OpenRead(source))
        {
            data = await ParquetSerializer.DeserializeUntypedAsync(input, cancellationToken: ct);
        }
        var fields = data.Schema.Fields.Where(f => f.Name != TrialKeyColumn && f.Name != RunnerColumn).ToList();
        fields.Insert(0, new DataField<string>(RunnerColumn));
        fields.Insert(0, new DataField<string>(TrialKeyColumn));
        foreach (var row in data.Data)
        {
            row[TrialKeyColumn] = key;
            row[RunnerColumn] = runner;
        }
        await using (var stream = new FileStream(target, FileMode.Create, FileAccess.Write))
        {
            await ParquetSerializer.SerializeUntypedAsync(data.Data.Cast<IDictionary<string, object?>>().ToList(), new ParquetSchema(fields), stream, cancellationToken: ct);
            stream.Flush(flushToDisk: true);
        }
        return data.Data.Count;
    }
}
