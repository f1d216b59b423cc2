using Steerability.Coordinator.Cli;
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

    /// <summary>
    /// The alpha_metrics schema versions a folder holds (a file without the column is version 1), ascending; empty
    /// when it has no alpha_metrics table.
    /// </summary>
    public static async Task<IReadOnlyList<int>> AlphaMetricsVersionsAsync(string sweepDir, CancellationToken ct = default)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(ct);
        return Sources(sweepDir).TryGetValue("alpha_metrics", out var source) ? await VersionsAsync(connection, source, ct) : [];
    }

    private static async Task<IReadOnlyList<int>> VersionsAsync(DuckDBConnection connection, string source, CancellationToken ct)
    {
        await using var describe = connection.CreateCommand();
        describe.CommandText = $"SELECT count(*) FROM (DESCRIBE SELECT * FROM {source}) WHERE column_name = 'schema_version'";
        if (Convert.ToInt64(await describe.ExecuteScalarAsync(ct)) == 0)
        {
            return [1];
        }
        await using var versions = connection.CreateCommand();
        versions.CommandText = $"SELECT DISTINCT CAST(COALESCE(schema_version, 1) AS INTEGER) FROM {source} ORDER BY 1";
        var result = new List<int>();
        await using var reader = await versions.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result.Add(reader.GetInt32(0));
        }
        return result;
    }

    /// <summary>
    /// One folder, one alpha_metrics schema: version 1 rows carry no scale (and `steer remedies` wrote them on [0, 1],
    /// 4× below the rest), so a folder mixing versions would put two scales in one column. Such a folder is refused.
    /// </summary>
    private static async Task RefuseMixedSchemasAsync(DuckDBConnection connection, string sweepDir, CancellationToken ct)
    {
        if (!Sources(sweepDir).TryGetValue("alpha_metrics", out var source))
        {
            return;
        }
        var versions = await VersionsAsync(connection, source, ct);
        if (versions.Count > 1)
        {
            throw new InputException($"{sweepDir}: alpha_metrics mixes schema versions {string.Join(" and ", versions)} (version 1 named no masked-L2 scale; " +
                $"version {Experiments.Studies.WalkMetricRecord.CurrentSchemaVersion} is on {Experiments.Evaluation.AlphaEvaluator.L2Scale}); accepted: one version per folder: run the sweep again into a new --out (or with --new-sweep)");
        }
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
        await RefuseMixedSchemasAsync(connection, sweepDir, ct);
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
