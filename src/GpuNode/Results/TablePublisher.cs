using Steerability.GpuNode.Contract;
using System.Security.Cryptography;
using System.Text.Json;
using Parquet;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Results;

/// <summary>
/// Moves a finished attempt's tables into the sweep's partitioned tables, as the runner wrote them: each file was
/// written whole in the attempt's own folder with its `trial_key` and `runner` columns (<see cref="RowOrigin"/>) and
/// flushed, and is linked into place under a name no other attempt can take. Readers never see half a file, and when
/// two attempts of one trial finish, the first to publish wins and the other keeps its rows to itself (same key, same
/// configuration: the published file is as good as its own).
/// </summary>
public static class TablePublisher
{
    private static readonly JsonSerializerOptions ManifestOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>
    /// Publishes every `TABLE.parquet` in <paramref name="attemptDir"/> (the runner's output); returns the files now in
    /// place, each with its row count and the SHA-256 of what lies there (this attempt's file, or an earlier attempt's
    /// it found), read from the file once, here. A table without the origin's columns is refused before it is moved.
    /// </summary>
    public static async Task<PublishedFile[]> PublishAsync(string sweepDir, TrialSpec trial, string attemptDir, CancellationToken ct)
    {
        var published = new List<PublishedFile>();
        foreach (var source in Directory.EnumerateFiles(attemptDir, "*.parquet").Order(StringComparer.Ordinal).ToList())
        {
            var table = Path.GetFileNameWithoutExtension(source);
            var relative = SweepLayout.TableFilePath(table, trial);
            var target = Path.Combine(sweepDir, relative);
            var written = await DescribeAsync(table, relative, source, ct);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                Durable.Move(source, target, overwrite: false);
                published.Add(written);
            }
            catch (IOException) when (File.Exists(target))
            {
                published.Add(await DescribeAsync(table, relative, target, ct));
            }
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

    /// <summary>A table file's row count (from its footer) and SHA-256; refused when its rows name no trial and runner.</summary>
    private static async Task<PublishedFile> DescribeAsync(string table, string relative, string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        stream.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: ct);
        var leading = reader.Schema.DataFields.Take(2).Select(f => f.Name).ToArray();
        if (!leading.SequenceEqual([RowOrigin.TrialKeyColumn, RowOrigin.RunnerColumn]))
        {
            throw new InvalidDataException($"{path}: the table's first columns are ({string.Join(", ", leading)}); accepted: " +
                $"({RowOrigin.TrialKeyColumn}, {RowOrigin.RunnerColumn}), written with the rows (ParquetFile.WriteAtomicallyAsync with the trial context's Origin)");
        }
        return new PublishedFile(table, relative, reader.Metadata?.NumRows ?? 0, sha256);
    }
}
