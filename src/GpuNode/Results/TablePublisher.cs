using System.Security.Cryptography;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;
using Steerability.GpuNode.Protocol;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Results;

/// <summary>
/// Moves a finished attempt's tables into the sweep's partitioned tables, adding a `trial_key` column, each file
/// written under a temporary name and renamed into place, so readers never see half a file or two copies of a trial.
/// </summary>
public static class TablePublisher
{
    public const string TrialKeyColumn = "trial_key";

    private static readonly JsonSerializerOptions ManifestOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>Publishes every `TABLE.parquet` in <paramref name="attemptDir"/>; returns what was written.</summary>
    public static async Task<PublishedFile[]> PublishAsync(string sweepDir, TrialSpec trial, string attemptDir, CancellationToken ct)
    {
        var published = new List<PublishedFile>();
        foreach (var source in Directory.EnumerateFiles(attemptDir, "*.parquet").Order(StringComparer.Ordinal))
        {
            var table = Path.GetFileNameWithoutExtension(source);
            var relative = SweepLayout.TableFilePath(table, trial);
            var target = Path.Combine(sweepDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var rows = await RewriteWithKeyAsync(source, target, trial.Key, ct);
            published.Add(new PublishedFile(table, relative, rows, await Sha256Async(target, ct)));
        }
        return [.. published];
    }

    /// <summary>Writes the manifest that lets a restarted coordinator recognise the trial as done from its files.</summary>
    public static void WriteManifest(string sweepDir, TrialFinished finished)
    {
        var path = SweepLayout.ManifestPath(sweepDir, finished.Key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(finished, ManifestOptions));
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

    private static async Task<long> RewriteWithKeyAsync(string source, string target, string key, CancellationToken ct)
    {
        DeserializationResult<Dictionary<string, object>> data;
        await using (var input = File.OpenRead(source))
        {
            data = await ParquetSerializer.DeserializeUntypedAsync(input, cancellationToken: ct);
        }
        var fields = data.Schema.Fields.Where(f => f.Name != TrialKeyColumn).ToList();
        fields.Insert(0, new DataField<string>(TrialKeyColumn));
        foreach (var row in data.Data)
        {
            row[TrialKeyColumn] = key;
        }
        await AtomicFile.WriteAsync(target, async stream =>
            await ParquetSerializer.SerializeUntypedAsync(data.Data.Cast<IDictionary<string, object?>>().ToList(), new ParquetSchema(fields), stream, cancellationToken: ct));
        return data.Data.Count;
    }
}
