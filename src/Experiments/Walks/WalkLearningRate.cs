using Steerability.Experiments.Transforms;

namespace Steerability.Experiments.Walks;

/// <summary>
/// The walk's Adam learning rate as a setting: its default, its one bound and its one message. Commands and specs
/// resolve it here when a trial is made; trials and the trainer only ever see the resolved value.
/// </summary>
public static class WalkLearningRate
{
    /// <summary>Rates at or above this diverge for every edit (the walk overshoots the latent norm in one step).</summary>
    public const double Limit = 10;

    /// <summary>The rate a walk of <paramref name="walk"/> type on <paramref name="edit"/> gets when none is given: the edit's own.</summary>
    public static double Default(ImageTransform edit, string walk) => edit.DefaultLearningRate;

    /// <summary>The given rate, else the default.</summary>
    public static double Resolve(double? given, ImageTransform edit, string walk) => given ?? Default(edit, walk);

    /// <summary>Why a rate is not accepted, or null when it is.</summary>
    public static string? Problem(double rate) =>
        rate > 0 && rate < Limit ? null : $"{rate} is not accepted; use a number above 0 and below {Limit}";
}
