namespace Steerability.Coordinator.Sweeps;

/// <summary>A validated sweep spec: the cross product of these lists is the sweep (see docs/orchestration.md).</summary>
public sealed record SweepSpec
{
    public required string Name { get; init; }
    public required string SourcePath { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    /// <summary>Class labels for per-class walks, or [`all`] for one walk over every class.</summary>
    public required IReadOnlyList<string> Classes { get; init; }
    public bool PerClass { get; init; }
    public required IReadOnlyList<string> Transforms { get; init; }
    public required IReadOnlyList<string> Walks { get; init; }
    public required IReadOnlyList<string> Regimes { get; init; }
    /// <summary>For each transform, its α grid: a name resolved per walk type and model at expansion, or a list.</summary>
    public required IReadOnlyDictionary<string, AlphaGrid> Alphas { get; init; }
    public required IReadOnlyList<int> Seeds { get; init; }
    /// <summary>Generator training budget; null: each model's own recipe (BuiltInModels).</summary>
    public required Budget? GeneratorBudget { get; init; }
    public required Budget WalkBudget { get; init; }
    /// <summary>Held-out latents per class each walk is evaluated on (`budget.walk.eval_latents`).</summary>
    public int EvalLatents { get; init; } = SweepSpecParser.DefaultEvalLatents;
    public string Device { get; init; } = "auto";
    /// <summary>The walk's Adam learning rate (`budget.walk.learning_rate`); null: each edit's own default.</summary>
    public double? LearningRate { get; init; }
    /// <summary>Users' edits the spec names (`edits`), by name: the description each of their trials carries.</summary>
    public IReadOnlyDictionary<string, string> UserEdits { get; init; } = new Dictionary<string, string>();
    /// <summary>Share of real images the augmented and joint regimes edit (`augmented_share`); null: 5/6.</summary>
    public double? AugmentedShare { get; init; }
    /// <summary>Pretrained generators by model (biggan-deep): where their files are and how they are sampled.</summary>
    public IReadOnlyDictionary<string, PretrainedGenerator> Pretrained { get; init; } = new Dictionary<string, PretrainedGenerator>();

    /// <summary>The side in pixels of a model's images: from a pretrained generator's config, or the built-in recipe.</summary>
    public int ImageSizeOf(string model) => Pretrained.TryGetValue(model, out var pretrained) ? pretrained.ImageSize : SweepCatalog.ImageSize(model);
}

/// <summary>A pretrained generator named by a spec: its weights folder, truncation, and what its config says.</summary>
public sealed record PretrainedGenerator(string Weights, double Truncation, int ImageSize, int ClassCount);

/// <summary>A training budget: optimisation steps and batch size.</summary>
public sealed record Budget(int Steps, int Batch);

/// <summary>
/// An α grid: a catalog name (`default`, `fine`) whose values depend on the walk type and image size, or `custom`
/// with the spec's own ascending list in <see cref="Values"/>, used as given for every walk type and model.
/// </summary>
public sealed record AlphaGrid(string Name, double[]? Values = null)
{
    /// <summary>The α values for one transform, walk type and model.</summary>
    public double[] Resolve(string model, string transform, string walk, int imageSize) =>
        Values ?? SweepCatalog.Grid(model, transform, Name, walk, imageSize);
}
