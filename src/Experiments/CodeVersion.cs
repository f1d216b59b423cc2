namespace Steerability.Experiments;

/// <summary>
/// The one version of the code that makes results: bumped whenever a change to the networks, training, walks,
/// evaluation or result tables changes what a run produces. Generator checkpoints and sweep trials are both keyed by
/// it, so nothing made by older code is taken for current results. One constant, so no change can bump one and
/// forget the other; the price is that a walk-only change also retrains cached generators.
/// </summary>
public static class CodeVersion
{
    public const string Current = "steer-2026.12-11";
}
