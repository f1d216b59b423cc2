using Steerability.Coordinator.Cli;
using DuckDB.NET.Data;
using Spectre.Console.Testing;
using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Reports;
using Steerability.Coordinator.Results;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;

namespace Steerability.Coordinator.Tests.Sweeps;

/// <summary>
/// Schema version 3 (alpha_metrics' evaluation column, the limits tables' schema_version, note, attribute, limit_alphas
/// and left_out): a version 2 folder is still read and reported, its colour rows read back as `cycled`; a folder that
/// mixes versions is refused in one line.
/// </summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-schema-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes a Parquet file from a DuckDB SELECT: the layout an older build wrote, with none of this build's types.</summary>
    private static async Task CopyAsync(string path, string select)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"COPY ({select}) TO '{path.Replace("'", "''")}' (FORMAT PARQUET)";
        await command.ExecuteNonQueryAsync();
    }

    // alpha_metrics as schema version 2 wrote it: no evaluation column; colour's one row per α pooled the channels.
    private const string VersionTwoAlphaMetrics = """
        SELECT 2 AS schema_version, '[-1,1]' AS l2_scale, 'shapes' AS model, 'all' AS class, t AS transform, 'linear' AS walk, false AS per_class,
               'plain' AS regime, CAST(a AS DOUBLE) AS alpha, CAST(0.5 * abs(a) AS DOUBLE) AS l2_mean, CAST(0 AS DOUBLE) AS l2_std,
               CAST(abs(a) AS DOUBLE) AS baseline_l2_mean, CAST(0 AS DOUBLE) AS baseline_l2_std, 16 AS n
        FROM (VALUES ('color'), ('zoom')) ts(t), (VALUES (-1.0), (0.0), (1.0), (2.0)) al(a)
        """;

    private async Task<string> VersionTwoFolderAsync()
    {
        var folder = Path.Combine(_folder, "v2");
        await CopyAsync(Path.Combine(folder, "alpha_metrics", "old.parquet"), VersionTwoAlphaMetrics);
        await CopyAsync(Path.Combine(folder, "variability", "old.parquet"), """
            SELECT 'shapes' AS model, c AS class, 'color' AS transform, 'linear' AS walk, 'red' AS attribute, CAST(0.5 AS DOUBLE) AS data_mean, s AS data_std,
                   CAST(0.4 AS DOUBLE) AS data_p5, CAST(0.6 AS DOUBLE) AS data_p95, 100 AS data_n, s / 2 AS model_spread, CAST(-1 AS DOUBLE) AS lowest_followed_alpha,
                   CAST(1 AS DOUBLE) AS highest_followed_alpha, s AS generator_std
            FROM (VALUES ('circle', CAST(0.1 AS DOUBLE)), ('square', CAST(0.2 AS DOUBLE)), ('ring', CAST(0.3 AS DOUBLE))) cs(c, s)
            """);
        await CopyAsync(Path.Combine(folder, "correlation", "old.parquet"),
            "SELECT 'shapes' AS model, 'color' AS transform, 'linear' AS walk, 'plain' AS regime, CAST(0.9 AS DOUBLE) AS r, CAST(0.04 AS DOUBLE) AS p, CAST(0.8 AS DOUBLE) AS rho, 3 AS n");
        return folder;
    }

    [Fact]
    public async Task A_version_two_folder_is_read_with_its_colour_rows_as_cycled_and_its_limits_without_statements()
    {
        var folder = await VersionTwoFolderAsync();

        var evaluations = await SweepQuery.RunAsync(folder, "SELECT DISTINCT transform, evaluation FROM alpha_metrics ORDER BY 1");
        Assert.Equal([["color", WalkMetricRecord.CycledEvaluation], ["zoom", "equal"]], evaluations.Rows.Select(r => r.Select(v => (string)v!).ToArray()));
        var notes = await SweepQuery.RunAsync(folder, "SELECT count(*) FROM variability WHERE note IS NULL");
        Assert.Equal(3L, Convert.ToInt64(Assert.Single(notes.Rows)[0]));
        var stated = await SweepQuery.RunAsync(folder, "SELECT attribute, limit_alphas, left_out, r FROM correlation");
        Assert.Equal(new object?[] { null, null, null, 0.9 }, Assert.Single(stated.Rows));

        // The report still renders it: the colour curve is its only (cycled) one, and no limit statement is invented.
        var data = await ReportDataLoader.LoadAsync(folder, folder);
        Assert.Contains(data.Curves, c => c.Transform == "color" && c.Evaluation == WalkMetricRecord.CycledEvaluation);
        Assert.Empty(data.ChannelCurves);
        Assert.Equal(0, SteerApp.Run(["report", folder], new TestConsole(), new StringWriter()));
        var html = await File.ReadAllTextAsync(Path.Combine(folder, ReportWriter.ReportFolder, ReportWriter.IndexFile));
        Assert.Contains("r = 0.900", html);
        Assert.DoesNotContain("Limit measured on", html);
    }

    [Theory]
    [InlineData("alpha_metrics")]
    [InlineData("variability")]
    public async Task A_folder_that_mixes_versions_two_and_three_is_refused_in_one_line(string table)
    {
        var folder = await VersionTwoFolderAsync();
        if (table == "alpha_metrics")
        {
            await ParquetFile.WriteAtomicallyAsync(Path.Combine(folder, "alpha_metrics", "new.parquet"),
                new[] { new WalkMetricRecord("shapes", "all", "color", "linear", PerClass: false, "plain", Alpha: 1, L2Mean: 0.1, L2Std: 0, BaselineL2Mean: 0.2, BaselineL2Std: 0, N: 4) });
        }
        else
        {
            await ParquetFile.WriteAtomicallyAsync(Path.Combine(folder, "variability", "new.parquet"),
                new[] { new VariabilityRecord("shapes", "star", "color", "linear", "luminance", 0.5, 0.1, 0.3, 0.7, 100, 0.05, -1, 1, 0.1) });
        }

        var error = await Assert.ThrowsAsync<InputException>(() => SweepQuery.RunAsync(folder, "SELECT 1"));

        // A version 2 limits table had no schema_version column: it reads as version 1.
        Assert.Contains($"{table} mixes schema versions {(table == "alpha_metrics" ? 2 : 1)} and {WalkMetricRecord.CurrentSchemaVersion}", error.Message);
        Assert.Contains("accepted: one version per folder", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task The_current_tables_carry_version_three_and_the_new_columns()
    {
        var folder = Path.Combine(_folder, "v3");
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(folder, "alpha_metrics", "a.parquet"),
            new[] { new WalkMetricRecord("shapes", "all", "color", "linear", PerClass: false, "plain", Alpha: 1, L2Mean: 0.1, L2Std: 0, BaselineL2Mean: 0.2, BaselineL2Std: 0, N: 4, Evaluation: "green") });
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(folder, "correlation", "c.parquet"),
            new[] { new CorrelationRecord("shapes", "rotate2d", "linear", "plain", 0.5, 0.2, 0.4, 5, "orientation", "-90 0 90", "circle: circular") });

        var alpha = await SweepQuery.RunAsync(folder, "SELECT schema_version, evaluation FROM alpha_metrics");
        Assert.Equal(new object?[] { 3, "green" }, Assert.Single(alpha.Rows));
        var correlation = await SweepQuery.RunAsync(folder, "SELECT schema_version, attribute, limit_alphas, left_out FROM correlation");
        Assert.Equal(new object?[] { 3, "orientation", "-90 0 90", "circle: circular" }, Assert.Single(correlation.Rows));
        Assert.Single(await ParquetFile.ReadAsync<CorrelationRecord>(Path.Combine(folder, "correlation", "c.parquet")), c => c.LeftOut == "circle: circular" && c.N == 5);
    }
}
