using Steerability.Experiments.Families.Shapes;
using Steerability.Experiments.Data;

namespace Steerability.Experiments.Generators;

/// <summary>Where a model's generator comes from.</summary>
public enum ModelSource
{
    /// <summary>Trained here on built-in data (<see cref="BuiltInModels"/>).</summary>
    BuiltIn,

    /// <summary>Pretrained elsewhere; its weights folder is given (--weights, or `pretrained` in a spec).</summary>
    PretrainedWeights,

    /// <summary>A user's TorchScript generator file (--generator).</summary>
    TorchScriptFile,
}

/// <summary>One model a command or spec may name.</summary>
/// <param name="Name">The name on the command line (--model) and in specs.</param>
/// <param name="ClassLabels">Its class labels; null when any label is accepted (the file says how many classes).</param>
/// <param name="ReadsDataFolder">True when it trains on data read from a folder (--data), checked before any work.</param>
/// <param name="HasTrueAttributes">True when its data keeps each image's true attributes, so the detector can be checked against them.</param>
/// <param name="FileFlag">The flag naming its files, for messages ("" for the built-in models).</param>
/// <param name="RunsInSweeps">True when a sweep spec may name it.</param>
public sealed record ModelEntry(string Name, ModelSource Source, IReadOnlyList<string>? ClassLabels, bool ReadsDataFolder, bool HasTrueAttributes,
    string FileFlag, bool RunsInSweeps);

/// <summary>The one catalog of models.</summary>
public static class ModelCatalog
{
    public static IReadOnlyList<ModelEntry> All { get; } =
    [
        new("shapes", ModelSource.BuiltIn, ShapesClassTable.Classes.Select(c => c.Name).ToArray(), ReadsDataFolder: false, HasTrueAttributes: true, "", RunsInSweeps: true),
        new("mnist", ModelSource.BuiltIn, Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray(), ReadsDataFolder: true, HasTrueAttributes: false, "", RunsInSweeps: true),
        new("biggan-deep", ModelSource.PretrainedWeights, Enumerable.Range(0, 1000).Select(i => i.ToString()).ToArray(), ReadsDataFolder: false, HasTrueAttributes: false,
            "--weights", RunsInSweeps: true),
        new("torchscript", ModelSource.TorchScriptFile, null, ReadsDataFolder: false, HasTrueAttributes: false, "--generator", RunsInSweeps: false),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(m => m.Name).ToArray();

    public static ModelEntry? TryGet(string name) => All.FirstOrDefault(m => m.Name == name);

    public static ModelEntry Get(string name) =>
        TryGet(name) ?? throw new ArgumentException($"--model: '{name}' is not a model; accepted: {string.Join(", ", Names)}");
}
