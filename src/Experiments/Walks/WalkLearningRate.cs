using Steerability.Experiments.Transforms;

namespace Steerability.Experiments.Walks;

/// <summary>
/// The walk's Adam learning rate as a setting: its default (per walk type and edit, from a family's
/// <see cref="WalkDefaultsTable"/>), its one bound and its one message. Sweeps resolve it when a trial is made
/// (TrialExpansion); trials and the trainer only ever see the resolved value.
/// </summary>
public static class WalkLearningRate
{
    /// <summary>Rates at or above this diverge for every edit (the walk overshoots the latent norm in one step).</summary>
    public const double Limit = 10;

    /// <summary>The rate a walk of <paramref name="walk"/> type on <paramref name="edit"/> gets when none is given, from <paramref name="table"/>.</summary>
    public static double Default(ImageTransform edit, string walk, WalkDefaultsTable table) => table.For(walk).RateFor(edit).Rate;

    /// <summary>The given rate, else the default of <paramref name="table"/> for this walk type and edit.</summary>
    public static double Resolve(double? given, ImageTransform edit, string walk, WalkDefaultsTable table) => given ?? Default(edit, walk, table);

    /// <summary>Why a rate is not accepted, or null when it is.</summary>
    public static string? Problem(double rate) =>
        rate > 0 && rate < Limit ? null : $"{rate} is not accepted; use a number above 0 and below {Limit}";
}
