using System.Text.Json.Serialization;
using Steerability.Experiments.Studies;

namespace Steerability.GpuNode.Results;

/// <summary>One row of the attributes table: the measured attribute of G(z'(α)) for one class at one α.</summary>
public sealed class AttributeRow
{
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("transform")] public string Transform { get; set; } = "";
    [JsonPropertyName("walk")] public string Walk { get; set; } = "";
    [JsonPropertyName("regime")] public string Regime { get; set; } = "plain";
    /// <summary>Which attribute: area_sqrt, centre_x, centre_y, intensity, red, orientation.</summary>
    [JsonPropertyName("attribute")] public string Attribute { get; set; } = "";
    [JsonPropertyName("alpha")] public double Alpha { get; set; }
    [JsonPropertyName("mean")] public double Mean { get; set; }
    [JsonPropertyName("std")] public double Std { get; set; }
    /// <summary>What a walk that follows the edit exactly would give.</summary>
    [JsonPropertyName("expected")] public double Expected { get; set; }
    /// <summary>True when the mean moved at least half the edit's change, in its direction.</summary>
    [JsonPropertyName("follows")] public bool Follows { get; set; }
    [JsonPropertyName("n")] public int N { get; set; }

    public static AttributeRow From(AttributeRecord r) => new()
    {
        Model = r.Model,
        Class = r.Class,
        Transform = r.Transform,
        Walk = r.Walk,
        Regime = r.Regime,
        Attribute = r.Attribute,
        Alpha = r.Alpha,
        Mean = r.Mean,
        Std = r.Std,
        Expected = r.Expected,
        Follows = r.Follows,
        N = r.N,
    };
}

/// <summary>
/// One row of the variability table: an attribute's spread over one class's training images, and the model's limit for
/// it. The data columns are null for a generator whose training data is not here (BigGAN-deep, TorchScript).
/// </summary>
public sealed class VariabilityRow
{
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("transform")] public string Transform { get; set; } = "";
    [JsonPropertyName("walk")] public string Walk { get; set; } = "";
    [JsonPropertyName("attribute")] public string Attribute { get; set; } = "";
    [JsonPropertyName("data_mean")] public double? DataMean { get; set; }
    [JsonPropertyName("data_std")] public double? DataStd { get; set; }
    [JsonPropertyName("data_p5")] public double? DataP5 { get; set; }
    [JsonPropertyName("data_p95")] public double? DataP95 { get; set; }
    [JsonPropertyName("data_n")] public int DataN { get; set; }
    /// <summary>Std of the attribute of G(z'(α)) over the whole α sweep.</summary>
    [JsonPropertyName("model_spread")] public double ModelSpread { get; set; }
    [JsonPropertyName("lowest_followed_alpha")] public double LowestFollowedAlpha { get; set; }
    [JsonPropertyName("highest_followed_alpha")] public double HighestFollowedAlpha { get; set; }
    /// <summary>Std of the attribute of G(z) with no walk, over the same latents: the variability the generator draws.</summary>
    [JsonPropertyName("generator_std")] public double GeneratorStd { get; set; }

    public static VariabilityRow From(VariabilityRecord r) => new()
    {
        Model = r.Model,
        Class = r.Class,
        Transform = r.Transform,
        Walk = r.Walk,
        Attribute = r.Attribute,
        DataMean = r.DataMean,
        DataStd = r.DataStd,
        DataP5 = r.DataP5,
        DataP95 = r.DataP95,
        DataN = r.DataN,
        ModelSpread = r.ModelSpread,
        LowestFollowedAlpha = r.LowestFollowedAlpha,
        HighestFollowedAlpha = r.HighestFollowedAlpha,
        GeneratorStd = r.GeneratorStd,
    };
}

/// <summary>
/// One row of the correlation table: across classes, dataset variability against model limit. r, p and ρ are null where
/// no correlation is defined: fewer than three classes, a side without variance, or no training data here.
/// </summary>
public sealed class CorrelationRow
{
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("transform")] public string Transform { get; set; } = "";
    [JsonPropertyName("walk")] public string Walk { get; set; } = "";
    [JsonPropertyName("regime")] public string Regime { get; set; } = "plain";
    [JsonPropertyName("r")] public double? R { get; set; }
    [JsonPropertyName("p")] public double? P { get; set; }
    [JsonPropertyName("rho")] public double? Rho { get; set; }
    [JsonPropertyName("n")] public int N { get; set; }

    public static CorrelationRow From(CorrelationRecord r) => new()
    {
        Model = r.Model,
        Transform = r.Transform,
        Walk = r.Walk,
        Regime = r.Regime,
        R = r.R,
        P = r.P,
        Rho = r.Rho,
        N = r.N,
    };
}
