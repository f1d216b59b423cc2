using Steerability.Experiments.Runtime;

namespace Steerability.Experiments.Families;

/// <summary>
/// The one registry of generator families: each family is one line here and one folder beside this file. Commands,
/// specs, trials and runners find a family by name through this registry and never name one themselves.
/// </summary>
public static class GeneratorFamilies
{
    /// <summary>The family commands use when no --model is given: the embedded default, trained here.</summary>
    public const string DefaultName = Shapes.ShapesFamily.FamilyName;

    public static IReadOnlyList<IGeneratorFamily> All { get; } =
    [
        new Shapes.ShapesFamily(),
        new Mnist.MnistFamily(),
        new BigGanDeep.BigGanDeepFamily(),
        new TorchScript.TorchScriptFamily(),
        new BigGan.BigGanFamily(),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(f => f.Name).ToArray();

    /// <summary>The families a sweep spec may name.</summary>
    public static IReadOnlyList<string> SweepNames { get; } = All.Where(f => f.RunsInSweeps).Select(f => f.Name).ToArray();

    /// <summary>The families this project trains itself (generator trials, remedies, data and train commands).</summary>
    public static IReadOnlyList<string> TrainedHereNames { get; } = All.OfType<TrainedHereFamily>().Select(f => f.Name).ToArray();

    public static IGeneratorFamily? TryGet(string name) => All.FirstOrDefault(f => f.Name == name);

    /// <summary>The family named <paramref name="name"/>; an unknown name is an <see cref="ArgumentException"/> listing the accepted ones.</summary>
    public static IGeneratorFamily Get(string name) =>
        TryGet(name) ?? throw new ArgumentException($"'{name}' is not a model; accepted: {string.Join(", ", Names)}");

    /// <summary>The family named <paramref name="name"/> if this project trains it, else an <see cref="ArgumentException"/>.</summary>
    public static TrainedHereFamily TrainedHere(string name) => TryGet(name) as TrainedHereFamily
        ?? throw new ArgumentException($"'{name}' is not a model this project trains on its own data; accepted: {string.Join(", ", TrainedHereNames)}");

    /// <summary>
    /// Checks values against the settings a family accepts (one it does not know is refused, naming those it does),
    /// then lets the family describe them.
    /// </summary>
    public static FamilyDescription Describe(IGeneratorFamily family, FamilyValues values, SteerPaths paths, bool inSweep = false)
    {
        foreach (var name in values.Given.Keys)
        {
            var setting = family.Settings.FirstOrDefault(s => s.Name == name);
            if (setting is null || (inSweep && !setting.InSweeps))
            {
                var accepted = family.Settings.Where(s => !inSweep || s.InSweeps).Select(s => s.Name).ToList();
                throw new FamilySettingException(name, $"not a setting of model '{family.Name}'{(inSweep ? " in a sweep" : "")}; accepted: {(accepted.Count > 0 ? string.Join(", ", accepted) : "none")}");
            }
        }
        return family.Describe(values, paths, checkLocalData: !inSweep);
    }
}
