using System.Globalization;
using Steerability.Experiments.Transforms;

namespace Steerability.Experiments.Walks;

/// <summary>A default value and where it comes from: the authors' config (file and value) or the measurement here that chose it.</summary>
public sealed record SourcedRate(double Rate, string Source);

/// <summary>
/// One walk type's defaults: the Adam learning rate per edit, how the walk's parameters start, how training draws
/// its α or steps, and how a test α becomes a whole number of steps. Every value names its source.
/// </summary>
/// <param name="Walk">The walk type (<see cref="WalkTypes"/>).</param>
/// <param name="Rates">The learning rate of each built-in edit, by name.</param>
/// <param name="OtherEditsRate">The rate of an edit the table does not name (a user's edit): its own setting.</param>
/// <param name="InitialStd">The standard deviation of the normal the walk's weights are drawn from.</param>
/// <param name="ZeroBias">True when the walk's biases start at zero (the nonlinear walk's step networks).</param>
/// <param name="StepSampling">How training draws α (linear) or the step count n (nonlinear), in words for help texts.</param>
/// <param name="Rounding">How round(α/ε) breaks a tie when it counts test steps (nonlinear walks).</param>
public sealed record WalkDefaults(string Walk, IReadOnlyDictionary<string, SourcedRate> Rates, Func<ImageTransform, SourcedRate> OtherEditsRate,
    double InitialStd, bool ZeroBias, string StepSampling, MidpointRounding Rounding)
{
    /// <summary>The rate a walk of this type on <paramref name="edit"/> gets when none is given, with its source.</summary>
    public SourcedRate RateFor(ImageTransform edit) => Rates.TryGetValue(edit.Name, out var rate) ? rate : OtherEditsRate(edit);
}

/// <summary>A family's walk defaults, one per walk type.</summary>
public sealed record WalkDefaultsTable(string Name, WalkDefaults Linear, WalkDefaults Nonlinear)
{
    /// <summary>The defaults of walk type <paramref name="walk"/>.</summary>
    public WalkDefaults For(string walk) => walk == WalkTypes.Nonlinear.Name ? Nonlinear : walk == WalkTypes.Linear.Name ? Linear
        : throw new ArgumentException($"--walk: '{walk}' is not a walk type; accepted: {string.Join(", ", WalkTypes.Names)}");
}

/// <summary>
/// The one table of walk defaults. <see cref="Project"/> serves the generators trained here (shapes, mnist) and is what
/// a family gets unless it carries its own; <see cref="PretrainedAuthors"/> is the authors' BigGAN run, for the
/// pretrained families. docs/paper.md lists every value beside the authors'.
/// </summary>
public static class WalkSettings
{
    private const string Geometric = "geometric";
    private const string Photometric = "photometric";

    private static readonly Dictionary<string, string> EditKinds = new()
    {
        ["zoom"] = Geometric,
        ["shiftx"] = Geometric,
        ["shifty"] = Geometric,
        ["rotate2d"] = Geometric,
        ["rotate3d"] = Geometric,
        ["brightness"] = Photometric,
        ["color"] = Photometric,
        ["contrast"] = Photometric,
    };

    /// <summary>The authors' BigGAN linear rates (PAPER.md); brightness and contrast take colour's.</summary>
    private static readonly Dictionary<string, double> AuthorsBigGanLinearRates = new()
    {
        ["zoom"] = 1e-4,
        ["shiftx"] = 1e-3,
        ["shifty"] = 1e-3,
        ["rotate2d"] = 1e-3,
        ["rotate3d"] = 1e-3,
        ["brightness"] = 1e-4,
        ["color"] = 1e-4,
        ["contrast"] = 1e-4,
    };

    private static SourcedRate OwnRate(ImageTransform edit) => new(edit.DefaultLearningRate, "the edit's own setting");

    private static Dictionary<string, SourcedRate> ByKind(SourcedRate geometric, SourcedRate photometric) =>
        EditKinds.ToDictionary(e => e.Key, e => e.Value == Geometric ? geometric : photometric);

    /// <summary>
    /// Linear walks: w ~ N(0, 0.1) as the authors' (graphs/biggan/transform_base.py: `np.random.normal(0.0, 0.1, ...)`);
    /// α drawn per sample from the edit's training range (the authors draw one α per batch for geometric edits).
    /// Rates tuned here: 0.1 geometric, 0.05 photometric (each edit's DefaultLearningRate). With the authors' 1e-3 the
    /// shapes walks do not reach a 6-pixel shift (|Δz| 9–12) in 400 steps; at 0.1 / 0.05 every built-in edit's walk
    /// reaches its plateau in 400 steps of 32 (docs/results.md, `steer demo --steps 1200` against 400).
    /// </summary>
    public static WalkDefaults ProjectLinear { get; } = new("linear",
        EditKinds.Keys.ToDictionary(name => name, name => new SourcedRate(TransformCatalog.Create(name).DefaultLearningRate,
            "tuned here: 400-step walks on shapes reach their plateau (docs/results.md)")),
        OwnRate, InitialStd: 0.1, ZeroBias: false, StepSampling: "α per sample from the edit's training range", MidpointRounding.ToEven);

    /// <summary>
    /// Nonlinear walks as the authors' (ali-design/gan_steerability, graphs/biggan/transform_base.py: Keras Dense with
    /// `kernel_initializer='RandomNormal'`, i.e. N(0, 0.05), and `bias_initializer='zeros'`; PAPER.md "The authors'
    /// settings"): n from −N…N with 0 included, one n per batch; test steps round(α/ε) with halves to even (numpy's round). Rates: the authors' 1e-3 for colour (L2) kept for every
    /// photometric edit; 1e-4 for geometric edits is the authors' (LPIPS) rate.
    /// </summary>
    public static WalkDefaults ProjectNonlinear { get; } = new("nonlinear",
        ByKind(new SourcedRate(1e-4, "the authors' nonlinear geometric walks: lr 1e-4 (LPIPS)"),
            new SourcedRate(1e-3, "the authors' nonlinear colour walk: lr 1e-3 (L2)")),
        OwnRate, InitialStd: 0.05, ZeroBias: true, StepSampling: "n from −N…N with 0 included, one n per batch", MidpointRounding.ToEven);

    /// <summary>The walk defaults of the generators trained here.</summary>
    public static WalkDefaultsTable Project { get; } = new("project", ProjectLinear, ProjectNonlinear);

    /// <summary>
    /// The authors' BigGAN run (PAPER.md, "The authors' settings"): linear lr 1e-3 for shifts and rotations, 1e-4 for
    /// zoom and colour (brightness and contrast as colour); the nonlinear walk as <see cref="ProjectNonlinear"/>.
    /// </summary>
    public static WalkDefaultsTable PretrainedAuthors { get; } = new("the authors' BigGAN values (linear lr 1e-3 shifts and rotations, 1e-4 zoom and photometric edits)",
        ProjectLinear with
        {
            Rates = AuthorsBigGanLinearRates.ToDictionary(e => e.Key, e => new SourcedRate(e.Value,
                "the authors' BigGAN linear walk (PAPER.md): lr 1e-3 shifts and rotations, 1e-4 zoom and colour")),
        },
        ProjectNonlinear);

    /// <summary>
    /// The table in words, for help texts: each built-in edit's linear and nonlinear learning rate, then how each walk
    /// type starts, samples and rounds.
    /// </summary>
    public static string Describe(WalkDefaultsTable table)
    {
        static string Rate(double rate) => rate.ToString("G3", CultureInfo.InvariantCulture);
        var rates = TransformCatalog.Names.Where(EditKinds.ContainsKey).Select(name =>
        {
            var edit = TransformCatalog.Create(name);
            return $"{name} {Rate(table.Linear.RateFor(edit).Rate)} / {Rate(table.Nonlinear.RateFor(edit.NonlinearEdit).Rate)}";
        });
        return $"Default learning rates, linear / nonlinear: {string.Join(", ", rates)}. "
            + $"Linear walks: w ~ N(0, {Rate(table.Linear.InitialStd)}), {table.Linear.StepSampling}. "
            + $"Nonlinear walks: weights N(0, {Rate(table.Nonlinear.InitialStd)}){(table.Nonlinear.ZeroBias ? ", zero biases" : "")}, "
            + $"{table.Nonlinear.StepSampling}, test steps round(α/ε) with halves {(table.Nonlinear.Rounding == MidpointRounding.ToEven ? "to even" : "away from zero")}; "
            + "nonlinear colour is luminance (one slider moving all three channels).";
    }
}
