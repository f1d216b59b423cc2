using Spectre.Console.Testing;
using Steerability.Coordinator.Results;
using Xunit;

namespace Steerability.Coordinator.Tests.Sweeps;

/// <summary>
/// What a user's DuckDB query sees of a sweep's alpha_metrics: the columns and types a science sweep's table had
/// before rows were written once, by the study's record, with their trial and runner. A synthetic sweep has them too.
/// </summary>
public sealed class PublishedTableColumnsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-columns-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Spec = """
        sweep: columns
        models: [shapes]
        transforms: [zoom]
        walks: [linear]
        regimes: [plain]
        alphas:
          zoom: [0.5, 2]
        budget:
          generator: {steps: 3, batch: 2}
          walk: {steps: 3, batch: 2}
        """;

    // The science's alpha_metrics as AlphaMetricRow and TablePublisher's rewrite laid it out; transform, walk and
    // regime are also the Hive partitions, which DuckDB reads as the same VARCHAR.
    private static readonly string[] PreviousLayout =
    [
        "trial_key VARCHAR", "runner VARCHAR", "schema_version INTEGER", "l2_scale VARCHAR", "model VARCHAR", "class VARCHAR",
        "transform VARCHAR", "walk VARCHAR", "per_class BOOLEAN", "regime VARCHAR", "alpha DOUBLE", "l2_mean DOUBLE", "l2_std DOUBLE",
        "baseline_l2_mean DOUBLE", "baseline_l2_std DOUBLE", "n INTEGER", "evaluation VARCHAR",
    ];

    [Fact]
    public async Task A_sweeps_alpha_metrics_has_the_previous_columns_and_types_in_DuckDB()
    {
        var spec = Path.Combine(_folder, "columns.yaml");
        await File.WriteAllTextAsync(spec, Spec);
        var output = Path.Combine(_folder, "results");
        var errors = new StringWriter();

        Assert.True(SteerApp.Run(["run", spec, "--out", output, "--runner", "synthetic"], new TestConsole(), errors) == 0, errors.ToString());

        var sweep = Path.Combine(output, "columns");
        var described = await SweepQuery.RunAsync(sweep, "SELECT column_name, column_type FROM (DESCRIBE alpha_metrics)");
        Assert.Equal(PreviousLayout, described.Rows.Select(r => $"{r[0]} {r[1]}"));
        var rows = await SweepQuery.RunAsync(sweep, "SELECT count(*), count(DISTINCT trial_key), min(runner), min(schema_version), min(regime) FROM alpha_metrics");
        Assert.Equal(["2", "1", "synthetic", "3", "plain"], Assert.Single(rows.Rows).Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
