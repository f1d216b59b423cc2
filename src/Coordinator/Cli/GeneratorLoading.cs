using Steerability.Coordinator.Commands;
using Spectre.Console;
using Steerability.Experiments.Families;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Training;
using TorchSharp;

namespace Steerability.Coordinator.Cli;

/// <summary>
/// The generator a command asked for, through its family (<see cref="GeneratorFamilies"/>): its flags checked first,
/// then loaded (or trained, for a family trained here) with progress shown. A family's setting error becomes the
/// command's one-line input error naming the flag.
/// </summary>
public static class GeneratorLoading
{
    /// <summary>Every accepted --model.</summary>
    public static IReadOnlyList<string> Models => GeneratorFamilies.Names;

    /// <summary>The family --model names.</summary>
    public static IGeneratorFamily Family(ModelSettings settings) => GeneratorFamilies.TryGet(settings.Model)
        ?? throw new InputException($"--model: '{settings.Model}' is not a model; accepted: {string.Join(", ", Models)}");

    /// <summary>The family --model names, when this project trains it on its own data (a command that trains generators).</summary>
    public static TrainedHereFamily TrainedHere(ModelSettings settings) => Family(settings) as TrainedHereFamily
        ?? throw new InputException($"--model: '{settings.Model}' is not a model this command trains on its own data; accepted: {string.Join(", ", GeneratorFamilies.TrainedHereNames)}");

    /// <summary>Checks the model flags before any work starts; returns what they describe, settings resolved.</summary>
    public static FamilyDescription Describe(ModelSettings settings) =>
        AsInputError(() => GeneratorFamilies.Describe(Family(settings), settings.FamilyValues(), SteerPaths.FromEnvironment()));

    /// <summary>Checks the model flags; returns the generator's class names.</summary>
    public static IReadOnlyList<string> Validate(ModelSettings settings) => Describe(settings).ClassNames;

    /// <summary>Runs <paramref name="work"/>, turning a family's setting error into the flag's input error.</summary>
    public static T AsInputError<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (FamilySettingException e)
        {
            throw new InputException($"--{e.Setting}: {e.Message}");
        }
    }

    /// <summary>
    /// Loads the generator (training it first when its family trains here and no checkpoint exists), with progress shown;
    /// <paramref name="cancel"/> stops a training between steps, before anything is saved.
    /// </summary>
    public static LoadedGenerator Load(IAnsiConsole console, ModelSettings settings, torch.Device device, CancellationToken cancel)
    {
        var family = Family(settings);
        var values = Describe(settings).Resolved;
        var loaded = new ProgressDisplay(console).Run($"loading the {settings.Model} generator", report => AsInputError(() =>
            family.Load(values, new GeneratorRequest(device, SteerPaths.FromEnvironment(),
                TrainingProgress: new ProgressCallback<TrainingProgress>(p => report(p.Step, p.TotalSteps, $"training: d={p.Losses["d"]:F3} g={p.Losses["g"]:F3}")),
                Cancel: cancel))));
        if (loaded.Note is { } note)
        {
            console.WriteLine(note);
        }
        return loaded;
    }
}
