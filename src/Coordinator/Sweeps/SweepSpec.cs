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
    /// <summary>For each transform, the grid name (or `custom`) and its α values.</summary>
    public required IReadOnlyDictionary<string, AlphaGrid> Alphas { get; init; }
    public required IReadOnlyList<int> Seeds { get; init; }
    public required Budget GeneratorBudget { get; init; }
    public required Budget WalkBudget { get; init; }
    public string Device { get; init; } = "auto";
}

/// <summary>A training budget: optimisation steps and batch size.</summary>
public sealed record Budget(int Steps, int Batch);

/// <summary>An α grid: a catalog name (or `custom` for a list in the spec) and its values, ascending.</summary>
public sealed record AlphaGrid(string Name, double[] Values);
