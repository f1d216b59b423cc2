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
    /// <summary>Folders of a sweep that are tables: every top-level folder holding Parquet files, except scratch.</summary>
    public static IReadOnlyList<string> Tables(string sweepDir) =>
        Directory.Exists(sweepDir)
            ? Directory.EnumerateDirectories(sweepDir)
                .Select(Path.GetFileName)
                .Where(name => name is not null && !name.StartsWith('_') && !name.StartsWith('.'))
                .Where(name => Directory.EnumerateFiles(Path.Combine(sweepDir, name!), "*.parquet", SearchOption.AllDirectories).Any())
                .Select(name => name!)
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    public static async Task<QueryResult> RunAsync(string sweepDir, string sql, CancellationToken ct = default)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(ct);
        foreach (var table in Tables(sweepDir))
        {
            var glob = Path.Combine(sweepDir, table, "**", "*.parquet").Replace("'", "''");
            await using var view = connection.CreateCommand();
            view.CommandText = $"CREATE VIEW \"{table}\" AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true)";
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
