using Parquet;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;

namespace Steerability.GpuNode.Tests.Results;

/// <summary>
/// A study's record is its table's row: written by one convention (snake_case of the property names), the columns
/// and their types are those the hand-written row classes gave before, which DuckDB queries and the report name.
/// </summary>
public sealed class ResultTableLayoutTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-layout-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly RowOrigin Origin = new("0123456789abcdef", "walk");

    // The layouts as the row classes and TablePublisher's rewrite made them before: column, Parquet value type, and `?`
    // where the column is optional. One change: a text column the record declares non-null (every text column of
    // attributes, variability and correlation, and trial_key and runner) is now required where it was optional; DuckDB
    // reads both as the same VARCHAR.
    private static readonly string[] AlphaMetrics =
    [
        "schema_version int", "l2_scale text", "model text", "class text", "transform text", "walk text", "per_class bool", "regime text",
        "alpha double", "l2_mean double", "l2_std double", "baseline_l2_mean double", "baseline_l2_std double", "n int", "evaluation text",
    ];

    private static readonly string[] Attributes =
    [
        "schema_version int", "model text", "class text", "transform text", "walk text", "regime text", "attribute text",
        "alpha double", "mean double", "std double", "expected double", "follows bool", "n int",
    ];

    private static readonly string[] Variability =
    [
        "schema_version int", "model text", "class text", "transform text", "walk text", "attribute text",
        "data_mean double?", "data_std double?", "data_p5 double?", "data_p95 double?", "data_n int",
        "model_spread double", "lowest_followed_alpha double", "highest_followed_alpha double", "generator_std double", "note text?",
    ];

    // Schema version 3 adds schema_version to the limits tables, the evaluation of alpha_metrics, the note of a class a
    // limit leaves out, and what each correlation's limit measured, on which α, and which classes it left out.
    private static readonly string[] Correlation =
    [
        "schema_version int", "model text", "transform text", "walk text", "regime text", "r double?", "p double?", "rho double?", "n int",
        "attribute text", "limit_alphas text", "left_out text?",
    ];

    private static readonly string[] OriginColumns = ["trial_key text", "runner text"];

    private static string[] Published(string[] columns) => [.. OriginColumns, .. columns];

    private static readonly WalkMetricRecord Metric = new("shapes", "all", "zoom", "linear", PerClass: false, "plain", Alpha: 2,
        L2Mean: 0.1, L2Std: 0.01, BaselineL2Mean: 0.3, BaselineL2Std: 0.02, N: 16);

    private static readonly AttributeRecord Attribute = new("shapes", "circle", "zoom", "linear", "plain", "area_sqrt", Alpha: 2,
        Mean: 0.4, Std: 0.05, Expected: 0.42, Follows: true, N: 8);

    private static readonly VariabilityRecord Spread = new("shapes", "circle", "zoom", "linear", "area_sqrt", DataMean: null, DataStd: 0.2,
        DataP5: null, DataP95: 0.9, DataN: 100, ModelSpread: 0.1, LowestFollowedAlpha: 0.5, HighestFollowedAlpha: 2, GeneratorStd: 0.03);

    private static readonly CorrelationRecord Undefined = new("biggan-deep-128", "zoom", "linear", "plain", R: null, P: null, Rho: null, N: 0);

    [Fact]
    public async Task Every_table_a_sweep_publishes_has_the_previous_columns_led_by_trial_key_and_runner()
    {
        Assert.Equal(Published(AlphaMetrics), await LayoutAsync([Metric], Origin));
        Assert.Equal(Published(Attributes), await LayoutAsync([Attribute], Origin));
        Assert.Equal(Published(Variability), await LayoutAsync([Spread], Origin));
        Assert.Equal(Published(Correlation), await LayoutAsync([Undefined], Origin));
    }

    [Fact]
    public async Task A_commands_table_has_the_same_columns_without_trial_key_and_runner()
    {
        Assert.Equal(AlphaMetrics, await LayoutAsync([Metric], origin: null));
        Assert.Equal(Attributes, await LayoutAsync([Attribute], origin: null));
        Assert.Equal(Variability, await LayoutAsync([Spread], origin: null));
        Assert.Equal(Correlation, await LayoutAsync([Undefined], origin: null));
    }

    [Fact]
    public async Task Rows_read_back_are_the_records_written_nulls_included()
    {
        Assert.Equal([Metric, Metric with { Class = "circle", PerClass = true, Regime = "joint" }],
            await RoundTripAsync([Metric, Metric with { Class = "circle", PerClass = true, Regime = "joint" }], Origin));
        Assert.Equal([Attribute], await RoundTripAsync([Attribute], Origin));
        Assert.Equal([Spread, Spread with { DataStd = null, DataP95 = null }], await RoundTripAsync([Spread, Spread with { DataStd = null, DataP95 = null }], origin: null));
        Assert.Equal([Undefined, Undefined with { R = 0.9, P = 0.01, Rho = 1, N = 3 }], await RoundTripAsync([Undefined, Undefined with { R = 0.9, P = 0.01, Rho = 1, N = 3 }], Origin));
    }

    [Fact]
    public async Task The_origin_is_in_every_row_and_the_computed_columns_hold_their_values()
    {
        var path = Path.Combine(_folder, "alpha_metrics.parquet");
        await ParquetFile.WriteAtomicallyAsync(path, [Metric, Metric with { Alpha = 4 }], Origin);

        await using var stream = File.OpenRead(path);
        var rows = (await Parquet.Serialization.ParquetSerializer.DeserializeUntypedAsync(stream)).Data;
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(Origin.TrialKey, row[RowOrigin.TrialKeyColumn]);
            Assert.Equal(Origin.Runner, row[RowOrigin.RunnerColumn]);
            Assert.Equal(WalkMetricRecord.CurrentSchemaVersion, row["schema_version"]);
            Assert.Equal("[-1,1]", row["l2_scale"]);
        });
    }

    private async Task<string[]> LayoutAsync<T>(T[] rows, RowOrigin? origin)
    {
        var path = Path.Combine(_folder, $"{typeof(T).Name}-{Guid.NewGuid():N}.parquet");
        await ParquetFile.WriteAtomicallyAsync(path, rows, origin);
        await using var reader = await ParquetReader.CreateAsync(path);
        return [.. reader.Schema.DataFields.Select(f => $"{f.Name} {TypeName(f.ClrType)}{(f.IsNullable ? "?" : "")}")];
    }

    private async Task<IList<T>> RoundTripAsync<T>(T[] rows, RowOrigin? origin)
    {
        var path = Path.Combine(_folder, $"{typeof(T).Name}-{Guid.NewGuid():N}.parquet");
        await ParquetFile.WriteAtomicallyAsync(path, rows, origin);
        return await ParquetFile.ReadAsync<T>(path);
    }

    /// <summary>Parquet.Net reports text columns as <see cref="ReadOnlyMemory{T}"/> of char.</summary>
    private static string TypeName(Type type) =>
        type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? "text"
        : type == typeof(int) ? "int"
        : type == typeof(bool) ? "bool"
        : type == typeof(double) ? "double"
        : type.Name;
}
