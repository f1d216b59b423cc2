using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Steerability.GpuNode.Contract;

/// <summary>
/// One unit of sweep work, typed by kind (<see cref="GeneratorTrial"/>, <see cref="WalkTrial"/>) and resolved when a
/// spec is expanded: every value is the one the trial runs with, never "the default", so two equal configurations
/// share one <see cref="Key"/> and are never run twice, and a trial's record says exactly what ran.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(GeneratorTrial), GeneratorTrial.KindName)]
[JsonDerivedType(typeof(WalkTrial), WalkTrial.KindName)]
public abstract record TrialSpec
{
    /// <summary>
    /// The code version (<see cref="Steerability.Experiments.CodeVersion"/>): part of every trial's key, so results
    /// from older code are never taken for current ones.
    /// </summary>
    public const string CodeVersion = Steerability.Experiments.CodeVersion.Current;

    /// <summary>`generator` or `walk` (the JSON discriminator).</summary>
    [JsonIgnore]
    public abstract string Kind { get; }

    /// <summary>The generator family (`--model`).</summary>
    public required string Model { get; init; }

    /// <summary>The family's settings as resolved when the spec was expanded (paths absolute, defaults filled in).</summary>
    public SortedDictionary<string, string> ModelSettings { get; init; } = new(StringComparer.Ordinal);

    /// <summary>`plain`, `augmented` or `joint`.</summary>
    public string Regime { get; init; } = "plain";

    /// <summary>The edit a walk steers; for a generator, the edit its data is augmented with ("" when it is not).</summary>
    public string Transform { get; init; } = "";

    /// <summary>A user's edit (TorchScript or a composition) as its self-contained description; empty for built-in edits.</summary>
    public string UserEdit { get; init; } = "";

    /// <summary>Share of real images the regime edits (0 when it edits none).</summary>
    public double AugmentedShare { get; init; }

    /// <summary>Optimisation steps the trial trains for (a joint walk: G, D and w together).</summary>
    public int Steps { get; init; }

    /// <summary>Images per training step.</summary>
    public int Batch { get; init; }

    public int Seed { get; init; }

    /// <summary>
    /// Where the trial may run: `auto`, `cpu` or `cuda`. Placement, not configuration: it is left out of the key,
    /// so moving a sweep from CPU to GPU does not rerun finished trials.
    /// </summary>
    public string Device { get; init; } = "auto";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    /// <summary>The configuration as JSON with a fixed field order and no placement fields: the input of the key.</summary>
    public string CanonicalJson() => JsonSerializer.Serialize<TrialSpec>(this with { Device = "" }, Options);

    /// <summary>The full record as JSON (placement included), as stored in the trials table and sent in leases.</summary>
    public string ToJson() => JsonSerializer.Serialize<TrialSpec>(this, Options);

    public static TrialSpec FromJson(string json) =>
        JsonSerializer.Deserialize<TrialSpec>(json, Options) ?? throw new FormatException("empty trial JSON");

    /// <summary>
    /// SHA-256 of the canonical JSON and the code version, as 16 hex digits (64 bits: no collision in practice).
    /// </summary>
    /// <remarks>Computed on each call, not cached: a cached field would be copied by `with` into a changed record.</remarks>
    [JsonIgnore]
    public string Key
    {
        get
        {
            var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson() + "\n" + CodeVersion));
            return Convert.ToHexStringLower(bytes)[..16];
        }
    }

    /// <summary>A short human label for logs and progress.</summary>
    [JsonIgnore]
    public abstract string Label { get; }

    /// <summary>The key of the trial this one needs done first (a walk's generator trial), or "".</summary>
    [JsonIgnore]
    public virtual string DependsOn => "";

    /// <summary>The walk type of a walk trial; "" for a generator (tables are partitioned by it).</summary>
    [JsonIgnore]
    public virtual string WalkType => "";
}

/// <summary>Trains a generator of a family trained here, with its data (augmented by <see cref="TrialSpec.Transform"/> when the regime says so).</summary>
public sealed record GeneratorTrial : TrialSpec
{
    public const string KindName = "generator";

    [JsonIgnore]
    public override string Kind => KindName;

    [JsonIgnore]
    public override string Label => $"generator {Model} {Regime}{(Transform.Length > 0 ? " " + Transform : "")} s{Seed}";
}

/// <summary>Trains a walk in a generator, measures it along <see cref="Alphas"/> and, where the family allows, its limits.</summary>
public sealed record WalkTrial : TrialSpec
{
    public const string KindName = "walk";

    [JsonIgnore]
    public override string Kind => KindName;

    /// <summary>`linear` or `nonlinear`.</summary>
    public required string Walk { get; init; }

    /// <summary>The class a per-class walk is trained on, or `all`.</summary>
    public string Class { get; init; } = "all";

    public bool PerClass { get; init; }

    /// <summary>The walk's Adam learning rate.</summary>
    public double LearningRate { get; init; }

    /// <summary>Held-out latents per class the walk is evaluated on.</summary>
    public int EvalLatents { get; init; }

    /// <summary>The name of the α grid (or `custom`), kept for reading; <see cref="Alphas"/> is what counts.</summary>
    public string AlphaGrid { get; init; } = "";

    public double[] Alphas { get; init; } = [];

    /// <summary>Key of the generator trial this walk needs, or empty when it needs none (the joint regime, pretrained generators).</summary>
    public string GeneratorKey { get; init; } = "";

    [JsonIgnore]
    public override string WalkType => Walk;

    [JsonIgnore]
    public override string DependsOn => GeneratorKey;

    [JsonIgnore]
    public override string Label => $"walk {Model} {Transform} {Walk} {Regime}{(PerClass ? " class " + Class : "")} s{Seed}";
}
