using Parquet;
using Parquet.Serialization;

namespace Steerability.GpuNode.Results;

/// <summary>Writes and reads Parquet tables of row classes; writes go to a temporary name and are renamed into place.</summary>
public static class ParquetFile
{
    /// <summary>Options for every table: snappy-compressed (the default of Spark and DuckDB readers alike).</summary>
    public static ParquetOptions Options { get; } = new();

    /// <summary>
    /// Writes <paramref name="rows"/> to <paramref name="path"/>; a crash never leaves a half-written file under that name,
    /// and a row with a NaN or infinite value is refused (<see cref="FiniteRows"/>) before anything is written.
    /// </summary>
    public static async Task WriteAtomicallyAsync<T>(string path, IReadOnlyCollection<T> rows, CancellationToken cancel = default) where T : new()
    {
        FiniteRows.Check(Path.GetFileName(path), rows);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = File.Create(temporary))
            {
                await ParquetSerializer.SerializeAsync(rows, stream, Options, cancellationToken: cancel);
                stream.Flush(flushToDisk: true);
            }
            Durable.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Reads every row of a Parquet file written by <see cref="WriteAtomicallyAsync{T}"/>.</summary>
    public static async Task<IList<T>> ReadAsync<T>(string path, CancellationToken cancel = default) where T : class, new()
    {
        await using var stream = File.OpenRead(path);
        return (await ParquetSerializer.DeserializeAsync<T>(stream, Options, cancellationToken: cancel)).Data;
    }
}
