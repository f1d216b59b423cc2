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

    /// <summary>The tables that carry a schema_version column (the limits tables from version 3 on), in the order they are checked.</summary>
    public static IReadOnlyList<string> VersionedTables { get; } = ["alpha_metrics", "attributes", "variability", "correlation"];

    /// <summary>
    /// Columns a table gained in a later schema version, with the value an older folder's rows are read with, so that
    /// a folder written before them is still read (and reported) as it was: alpha_metrics' evaluation (version 2 moved
    /// one colour channel per latent, i mod 3, pooled: `cycled`; every other edit moved its one α: `equal`), and the
    /// limits tables' statement of what each limit used (unknown: null).
    /// </summary>
    private static readonly Dictionary<string, (string Column, string Value)[]> AddedColumns = new(StringComparer.Ordinal)
    {
        ["alpha_metrics"] = [("evaluation", $"CASE WHEN transform = 'color' THEN '{Experiments.Studies.WalkMetricRecord.CycledEvaluation}' ELSE '{Experiments.Transforms.EvaluationMode.EqualName}' END")],
        ["variability"] = [("note", "CAST(NULL AS VARCHAR)")],
        ["correlation"] = [("attribute", "CAST(NULL AS VARCHAR)"), ("limit_alphas", "CAST(NULL AS VARCHAR)"), ("left_out", "CAST(NULL AS VARCHAR)")],
    };

    /// <summary>
    /// One folder, one schema per table: version 1 alpha_metrics rows carry no scale (and `steer remedies` wrote them on
    /// [0, 1], 4× below the rest), version 2 colour rows pool the channels where version 3 has one row per evaluation,
    /// so a folder mixing versions would put two meanings in one column. Such a folder is refused.
    /// </summary>
    private static async Task RefuseMixedSchemasAsync(DuckDBConnection connection, string sweepDir, CancellationToken ct)
    {
        var sources = Sources(sweepDir);
        foreach (var table in VersionedTables)
        {
            if (!sources.TryGetValue(table, out var source))
            {
                continue;
            }
            var versions = await VersionsAsync(connection, source, ct);
            if (versions.Count > 1)
            {
                throw new InputException($"{sweepDir}: {table} mixes schema versions {string.Join(" and ", versions)} (version 1 named no masked-L2 scale; " +
                    $"version 2 is on {Experiments.Evaluation.AlphaEvaluator.L2Scale}; version {Experiments.Studies.WalkMetricRecord.CurrentSchemaVersion} evaluates colour with all channels equal " +
                    "and per channel, measures luminance as sampled pixels and states each limit's α); accepted: one version per folder: run the sweep again into a new --out (or with --new-sweep)");
            }
        }
    }

    /// <summary>The view's SELECT: every column of the source, and the later columns an older folder lacks, with their old meaning.</summary>
    private static async Task<string> ViewSelectAsync(DuckDBConnection connection, string table, string source, CancellationToken ct)
    {
        if (!AddedColumns.TryGetValue(table, out var added))
        {
            return $"SELECT * FROM {source}";
        }
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var describe = connection.CreateCommand())
        {
            describe.CommandText = $"SELECT column_name FROM (DESCRIBE SELECT * FROM {source})";
            await using var reader = await describe.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                present.Add(reader.GetString(0));
            }
        }
        var missing = added.Where(a => !present.Contains(a.Column)).Select(a => $", {a.Value} AS {a.Column}");
        return $"SELECT *{string.Concat(missing)} FROM {source}";
    }

    public static async Task<QueryResult> RunAsync(string sweepDir, string sql, CancellationToken ct = default)
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(ct);
        foreach (var (table, source) in Sources(sweepDir))
        {
            await using var view = connection.CreateCommand();
            view.CommandText = $"CREATE VIEW \"{table}\" AS {await ViewSelectAsync(connection, table, source, ct)}";
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
