using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;

namespace Steerability.Experiments.Families;

/// <summary>
/// A kind of generator the project can walk in (built-in ones trained here, BigGAN-deep files, TorchScript files, ...).
/// A family owns everything about itself: its settings and their checks, how its files are read, its classes, the
/// variants of edits it uses, its training data if it has any, and its help text. It lives in one folder under
/// src/Experiments/Families/ and is registered by one line in <see cref="GeneratorFamilies"/>; nothing else names it.
/// </summary>
public interface IGeneratorFamily
{
    /// <summary>The name given as `--model` and in specs.</summary>
    string Name { get; }

    /// <summary>One line for help texts: what it is and what it needs.</summary>
    string Summary { get; }

    /// <summary>The settings it accepts (flags and spec keys); any other is refused.</summary>
    IReadOnlyList<FamilySetting> Settings { get; }

    /// <summary>True when a sweep spec may name it.</summary>
    bool RunsInSweeps { get; }

    /// <summary>
    /// Checks the values without building the network (reading at most a config or a header) and resolves them: the
    /// result carries every setting with the value it will run with (defaults filled in, paths absolute).
    /// </summary>
    /// <exception cref="FamilySettingException">A value is missing, malformed or names a file that cannot be read.</exception>
    /// <param name="checkLocalData">False for a sweep spec read on the coordinator: the data a family trains on is read by the workers, on their machines.</param>
    FamilyDescription Describe(FamilyValues values, SteerPaths paths, bool checkLocalData = true);

    /// <summary>Loads the generator for walks (and trains it first, for a family trained here with no checkpoint yet).</summary>
    LoadedGenerator Load(FamilyValues values, GeneratorRequest request);

    /// <summary>The edit <paramref name="transform"/> as every study, command and sweep uses it on this family.</summary>
    ImageTransform Edit(string transform) => TransformCatalog.Create(transform);

    /// <summary>
    /// The walk defaults (learning rate per walk type and edit, initialisation, step sampling, rounding) of walks in
    /// this family's generators: the project's table unless the family carries the authors' values for itself.
    /// </summary>
    WalkDefaultsTable Walks => WalkSettings.Project;

    /// <summary>True when the family's training data is here (a family trained here): limits studies need it.</summary>
    bool HasTrainingData => false;

    /// <summary>The training data, for dataset variability; null when the family's data is not here.</summary>
    LabelledImages? TrainingData(FamilyValues values, SteerPaths paths) => null;

    /// <summary>How far the attribute detector lies from the truth on this family's images, when its data keeps the truth.</summary>
    IReadOnlyList<AttributeError>? CheckDetector() => null;
}

/// <summary>What a family's settings describe, checked: class names, image side, and the resolved settings.</summary>
public sealed record FamilyDescription(IReadOnlyList<string> ClassNames, int ImageSize, FamilyValues Resolved);

/// <summary>What loading a generator may use: the device, the project's folders, a checkpoint a sweep trained for it, progress.</summary>
/// <param name="Checkpoint">A checkpoint folder trained by a generator trial this walk depends on (sweeps), if any.</param>
public sealed record GeneratorRequest(torch.Device Device, SteerPaths Paths, string? Checkpoint = null,
    IProgress<TrainingProgress>? TrainingProgress = null, CancellationToken Cancel = default);

