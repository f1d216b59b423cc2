using System.Globalization;

namespace Steerability.Experiments.Training;

/// <summary>
/// One way of training the generator a walk lives in (paper §4.4).
/// </summary>
/// <param name="Name">The name in specs, on the command line and in the regime column.</param>
/// <param name="EditsRealData">True when a share of the real images is edited with the walk's transform while G trains.</param>
/// <param name="TrainsWalkWithGenerator">True when G, D and a linear walk are trained together (no separate generator).</param>
/// <param name="Description">What the regime does, for help and messages.</param>
public sealed record TrainingRegime(string Name, bool EditsRealData, bool TrainsWalkWithGenerator, string Description)
{
    /// <summary>True when the regime trains a generator on its own first, which walks then share.</summary>
    public bool HasGeneratorOfItsOwn => !TrainsWalkWithGenerator;

    /// <summary>True when the regime trains the generator itself (anything but the plain regime on a pretrained model).</summary>
    public bool NeedsTrainableGenerator => EditsRealData || TrainsWalkWithGenerator;

    /// <summary>
    /// How the generator's checkpoint names this regime: the augmented and joint regimes carry the edit and the
    /// edited share, so generators augmented with different edits or shares never share a checkpoint.
    /// </summary>
    public string CheckpointName(string edit, double share) =>
        EditsRealData ? string.Create(CultureInfo.InvariantCulture, $"{Name}-{edit}-{share:F3}") : Name;
}

/// <summary>The training regimes, in the order they are reported: the one catalog of regimes.</summary>
public static class TrainingRegimes
{
    public static TrainingRegime Plain { get; } = new("plain", EditsRealData: false, TrainsWalkWithGenerator: false,
        "G trained on the data, the walk fitted afterwards with G frozen");

    public static TrainingRegime Augmented { get; } = new("augmented", EditsRealData: true, TrainsWalkWithGenerator: false,
        "G trained on data of which a share is edited with the transform, the walk fitted afterwards");

    public static TrainingRegime Joint { get; } = new("joint", EditsRealData: true, TrainsWalkWithGenerator: true,
        "G, D and a linear walk trained together on the augmented data");

    public static IReadOnlyList<TrainingRegime> All { get; } = [Plain, Augmented, Joint];

    public static IReadOnlyList<string> Names { get; } = All.Select(r => r.Name).ToArray();

    /// <summary>The regime called <paramref name="name"/>, or null.</summary>
    public static TrainingRegime? TryGet(string name) => All.FirstOrDefault(r => r.Name == name);

    /// <summary>The regime called <paramref name="name"/>; throws naming the accepted regimes otherwise.</summary>
    public static TrainingRegime Get(string name) =>
        TryGet(name) ?? throw new ArgumentException($"regime '{name}' is not known; accepted: {string.Join(", ", Names)}");
}
