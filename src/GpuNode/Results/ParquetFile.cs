using Parquet;
using Parquet.Serialization;

namespace Steerability.GpuNode.Results;

/// <summary>
/// Writes and reads result tables whose rows are records (<see cref="RowColumns{T}"/> names their columns): every table a
/// study makes, in a sweep or in a command's output folder, is written here, once. Writes go to a temporary name and are
/// renamed into place.
/// </summary>
public static class ParquetFile
{
    /// <summary>Options for every table: snappy-compressed (the default of Spark and DuckDB readers alike).</summary>
    public static ParquetOptions Options { get; } = new();

    /// <summary>Writes a command's table: the rows' own columns, no trial.</summary>
    public static Task WriteAtomicallyAsync<T>(string path, IReadOnlyCollection<T> rows, CancellationToken cancel = default) =>
        WriteAtomicallyAsync(path, rows, origin: null, cancel);

    /// <summary>
    /// Writes <paramref name="rows"/> to <paramref name="path"/>, led by the <paramref name="origin"/>'s columns when
    /// there is one (a sweep's attempt: the file is then published as it is). A crash never leaves a half-written file
    /// under that name, and a row with a NaN or infinite value is refused (<see cref="FiniteRows"/>) before anything is
    /// written. The file's data is flushed before the rename, so a publication may link it into place as it lies.
    /// </summary>
    public static async Task WriteAtomicallyAsync<T>(string path, IReadOnlyCollection<T> rows, RowOrigin? origin, CancellationToken cancel = default)
    {
        FiniteRows.Check(Path.GetFileName(path), rows);
        var values = rows.Select(row => RowColumns<T>.Values(row, origin)).ToList();
        var schema = RowColumns<T>.Schema(origin);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = File.Create(temporary))
            {
                await ParquetSerializer.SerializeUntypedAsync(values!, schema, stream, Options, cancellationToken: cancel);
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

    /// <summary>Reads every row of a table written by <see cref="WriteAtomicallyAsync{T}(string, IReadOnlyCollection{T}, RowOrigin?, CancellationToken)"/>.</summary>
    public static async Task<IList<T>> ReadAsync<T>(string path, CancellationToken cancel = default)
    {
        await using var stream = File.OpenRead(path);
        var data = await ParquetSerializer.DeserializeUntypedAsync(stream, Options, cancellationToken: cancel);
        return data.Data.Select(values => RowColumns<T>.FromValues(values!)).ToList();
    }
}
