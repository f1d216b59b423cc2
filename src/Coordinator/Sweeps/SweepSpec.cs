using Steerability.Experiments.Families;

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
    /// <summary>Generator training budget; null: each family's own recipe.</summary>
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
    /// <summary>The seed of the generators the spec trains; null: each walk seed trains its own (a command keeps its family's recipe seed).</summary>
    public int? GeneratorSeed { get; init; }

    /// <summary>Each model of the spec as its family described it: class names, image side, and its settings resolved.</summary>
    public required IReadOnlyDictionary<string, FamilyDescription> Generators { get; init; }

    /// <summary>The side in pixels of a model's images.</summary>
    public int ImageSizeOf(string model) => Generators[model].ImageSize;
}

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
