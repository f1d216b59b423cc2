using DuckDB.NET.Data;

namespace Steerability.Coordinator.Results;

/// <summary>The result of a query: column names and rows.</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// Runs DuckDB SQL over a sweep folder, with one view per table (alpha_metrics, trials, ...) reading all its Parquet
/// files with Hive partitioning, so `SELECT * FROM alpha_metrics WHERE transform = 'zoom'` prunes folders.
/// </summary>
public static class SweepQuery
{
    /// <summary>
    /// Tables of a folder: every top-level folder holding Parquet files, except scratch, and every top-level NAME.parquet
    /// file (as `steer walk` and `steer demo` write); a folder wins over a file of the same name.
    /// </summary>
    public static IReadOnlyList<string> Tables(string sweepDir) => Sources(sweepDir).Keys.ToList();

    /// <summary>Each table and the read_parquet call that reads it.</summary>
    private static SortedDictionary<string, string> Sources(string sweepDir)
    {
        var sources = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(sweepDir))
        {
            return sources;
        }
        foreach (var file in Directory.EnumerateFiles(sweepDir, "*.parquet"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (!name.StartsWith('_') && !name.StartsWith('.'))
            {
                sources[name] = $"read_parquet('{file.Replace("'", "''")}')";
            }
        }
        foreach (var folder in Directory.EnumerateDirectories(sweepDir))
        {
            var name = Path.GetFileName(folder);
            if (!name.StartsWith('_') && !name.StartsWith('.') && Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories).Any())
            {
                var glob = Path.Combine(folder, "**", "*.parquet").Replace("'", "''");
                sources[name] = $"read_parquet('{glob}', hive_partitioning = true, union_by_name = true)";
            }
        }
        return sources;
    }

    public static async Task<QueryResult> RunAsync(string sweepDir, string sql, CancellationToken ct = default)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(ct);
        foreach (var (table, source) in Sources(sweepDir))
        {
            await using var view = connection.CreateCommand();
            view.CommandText = $"CREATE VIEW \"{table}\" AS SELECT * FROM {source}";
            await view.ExecuteNonQueryAsync(ct);
        }
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var rows = new List<object?[]>();
            while (await reader.ReadAsync(ct))
            {
                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }
                rows.Add(row);
            }
            return new QueryResult(columns, rows);
        }
        catch (DuckDBException e)
        {
            throw new InputException($"query: {e.Message.ReplaceLineEndings(" ")}; accepted: DuckDB SQL over the views {string.Join(", ", Tables(sweepDir))}");
        }
    }
}
