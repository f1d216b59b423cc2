using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Steerability.Experiments.Generators;

namespace Steerability.GpuNode.Trials;

/// <summary>
/// One unit of sweep work, flat and canonical: everything that determines a trial's results, so that two equal
/// configurations share one <see cref="Key"/> and are never run twice.
/// </summary>
public sealed record TrialSpec
{
    /// <summary>
    /// The code version (<see cref="Steerability.Experiments.CodeVersion"/>): part of every trial's key, so results
    /// from older code are never taken for current ones.
    /// </summary>
    public const string CodeVersion = Steerability.Experiments.CodeVersion.Current;

    /// <summary>`generator` trains a generator for a model; `walk` trains a walk and measures per-α errors.</summary>
    public required string Kind { get; init; }

    public required string Model { get; init; }

    /// <summary>The class a per-class walk is trained on, or `all`.</summary>
    public string Class { get; init; } = "all";

    /// <summary>The transform a walk steers; for an augmented generator, the transform it was augmented with.</summary>
    public string Transform { get; init; } = "";

    /// <summary>`linear` or `nonlinear`; empty for a generator trial.</summary>
    public string Walk { get; init; } = "";

    /// <summary>`plain`, `augmented` or `joint`.</summary>
    public string Regime { get; init; } = "plain";

    public bool PerClass { get; init; }

    public int Steps { get; init; }

    public int Batch { get; init; }

    public int Seed { get; init; }

    /// <summary>Generator training budget for the joint regime, which trains its own generator with the walk.</summary>
    public int GeneratorSteps { get; init; }

    public int GeneratorBatch { get; init; }

    /// <summary>The walk's Adam learning rate; 0: the edit's own default.</summary>
    public double LearningRate { get; init; }

    /// <summary>Share of real images the augmented and joint regimes edit; 0: <see cref="Steerability.Experiments.Training.EditAugmentation.DefaultShare"/>.</summary>
    public double AugmentedShare { get; init; }

    /// <summary>A user's edit (TorchScript or a composition) as its self-contained description; empty for built-in edits.</summary>
    public string UserEdit { get; init; } = "";

    /// <summary>Held-out latents per class the walk is evaluated on (0 for a generator trial).</summary>
    public int EvalLatents { get; init; }

    /// <summary>The name of the α grid (or `custom`), kept for reading; <see cref="Alphas"/> is what counts.</summary>
    public string AlphaGrid { get; init; } = "";

    public double[] Alphas { get; init; } = [];

    /// <summary>Key of the generator trial this walk needs, or empty when it needs none (joint regime, generators).</summary>
    public string GeneratorKey { get; init; } = "";

    /// <summary>
    /// Where the trial may run: `auto`, `cpu` or `cuda`. Placement, not configuration: it is left out of the key,
    /// so moving a sweep from CPU to GPU does not rerun finished trials.
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>A pretrained generator's weights folder (biggan-deep); empty for the generators trained here.</summary>
    public string Weights { get; init; } = "";

    /// <summary>A pretrained generator's truncation; 0 when it has none.</summary>
    public double Truncation { get; init; }

    private static readonly JsonSerializerOptions CanonicalOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    /// <summary>The configuration as JSON with a fixed field order and no placement fields: the input of the key.</summary>
    public string CanonicalJson()
    {
        var canonical = new CanonicalForm(Kind, Model, Class, Transform, Walk, Regime, PerClass, Steps, Batch, Seed,
            GeneratorSteps, GeneratorBatch, Alphas, GeneratorKey, EvalLatents, Weights, Truncation, LearningRate, AugmentedShare, UserEdit);
        return JsonSerializer.Serialize(canonical, CanonicalOptions);
    }

    /// <summary>The full record as JSON (placement included), as stored in the trials table and sent in leases.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CanonicalOptions);

    public static TrialSpec FromJson(string json) =>
        JsonSerializer.Deserialize<TrialSpec>(json, CanonicalOptions) ?? throw new FormatException("empty trial JSON");

    /// <summary>
    /// SHA-256 of the canonical JSON, the trial code version and the generator code version (a change to GAN
    /// training changes every trial trained on its generators), as 16 hex digits (64 bits: no collision in practice).
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

    /// <summary>A short human label for logs and progress: `walk shapes zoom linear plain s0`.</summary>
    public string Label => Kind == "generator"
        ? $"generator {Model} {Regime}{(Transform.Length > 0 ? " " + Transform : "")} s{Seed}"
        : $"walk {Model} {Transform} {Walk} {Regime}{(PerClass ? " class " + Class : "")} s{Seed}";

    // Field order here is the canonical order; appending a field changes every key, which is intended.
    private sealed record CanonicalForm(string Kind, string Model, string Class, string Transform, string Walk,
        string Regime, bool PerClass, int Steps, int Batch, int Seed, int GeneratorSteps, int GeneratorBatch,
        double[] Alphas, string GeneratorKey, int EvalLatents, string Weights, double Truncation, double LearningRate, double AugmentedShare, string UserEdit);
}
