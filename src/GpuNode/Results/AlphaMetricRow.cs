using System.Text.Json.Serialization;
using Parquet.Serialization.Attributes;

namespace Steerability.GpuNode.Results;

/// <summary>One row of the alpha_metrics table: a walk's masked L2 at one test α for one class (or "all").</summary>
/// <remarks>
/// Schema versions: 1 (no schema_version column) had no named scale, and `steer remedies` wrote its masked L2 on
/// [0, 1] images, 4× below a sweep's; 2 measures every masked L2 on [-1, 1] and names the scale in l2_scale.
/// A sweep never mixes versions (<see cref="SchemaVersion"/> is checked when its tables are read).
/// </remarks>
public sealed class AlphaMetricRow
{
    /// <summary>The version this code writes.</summary>
    public const int CurrentSchemaVersion = 2;

    [JsonPropertyName("schema_version")]
    public int SchemaVersion { get; set; } = CurrentSchemaVersion;
    /// <summary>The pixel range the masked L2 columns are measured on.</summary>
    [JsonPropertyName("l2_scale")]
    [ParquetRequired] public string L2Scale { get; set; } = Steerability.Experiments.Evaluation.AlphaEvaluator.L2Scale;

    [JsonPropertyName("model")]
    [ParquetRequired] public string Model { get; set; } = "";
    [JsonPropertyName("class")]
    [ParquetRequired] public string Class { get; set; } = "";
    [JsonPropertyName("transform")]
    [ParquetRequired] public string Transform { get; set; } = "";
    [JsonPropertyName("walk")]
    [ParquetRequired] public string Walk { get; set; } = "";
    /// <summary>True when the linear walk had one set of vectors per class.</summary>
    [JsonPropertyName("per_class")]
    public bool PerClass { get; set; }
    /// <summary>Generator training regime: plain, augmented or joint.</summary>
    [JsonPropertyName("regime")]
    [ParquetRequired] public string Regime { get; set; } = "plain";
    [JsonPropertyName("alpha")]
    public double Alpha { get; set; }
    [JsonPropertyName("l2_mean")]
    public double L2Mean { get; set; }
    [JsonPropertyName("l2_std")]
    public double L2Std { get; set; }
    [JsonPropertyName("baseline_l2_mean")]
    public double BaselineL2Mean { get; set; }
    [JsonPropertyName("baseline_l2_std")]
    public double BaselineL2Std { get; set; }
    /// <summary>Held-out latents behind the row.</summary>
    [JsonPropertyName("n")]
    public int N { get; set; }

    /// <summary>The table row of a walk study's record.</summary>
    public static AlphaMetricRow From(Steerability.Experiments.Studies.WalkMetricRecord r) => new()
    {
        Model = r.Model,
        Class = r.Class,
        Transform = r.Transform,
        Walk = r.Walk,
        PerClass = r.PerClass,
        Regime = r.Regime,
        Alpha = r.Alpha,
        L2Mean = r.L2Mean,
        L2Std = r.L2Std,
        BaselineL2Mean = r.BaselineL2Mean,
        BaselineL2Std = r.BaselineL2Std,
        N = r.N,
    };
}
