namespace Steerability.Experiments.Walks;

/// <summary>
/// The walk-training budget a command or spec gets when it names none: one set of values for every command and spec.
/// 400 steps of 32 latents trains every built-in edit's walk on the shapes generator to its plateau (docs/results.md).
/// </summary>
public static class WalkBudget
{
    public const int DefaultSteps = 400;

    public const int DefaultBatch = 32;

    /// <summary>Held-out latents per class each walk is evaluated on.</summary>
    public const int DefaultEvalLatents = 256;
}
