using Spectre.Console;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.GpuNode.Trials;
using TorchSharp;

namespace Steerability.Coordinator.Commands;

/// <summary>Gets the generator a command asked for (a given checkpoint, a reused one, or one trained now) with progress shown.</summary>
public static class GeneratorLoading
{
    /// <summary>Checks the model flags before any work starts.</summary>
    public static void Validate(ModelSettings settings)
    {
        InputChecks.Model(settings.Model);
        if (settings.GanSteps is { } steps)
        {
            InputChecks.Positive("--gan-steps", steps);
        }
        if (settings.Checkpoint is { } checkpoint)
        {
            try
            {
                var manifest = GeneratorCheckpoint.ReadManifest(checkpoint);
                if (!File.Exists(Path.Combine(checkpoint, GeneratorCheckpoint.WeightsFile)))
                {
                    throw new InputException($"--checkpoint: '{checkpoint}' has no {GeneratorCheckpoint.WeightsFile}");
                }
                if (manifest.Model != settings.Model)
                {
                    throw new InputException($"--checkpoint: '{checkpoint}' holds a '{manifest.Model}' generator but --model is '{settings.Model}'");
                }
            }
            catch (CheckpointException e)
            {
                throw new InputException($"--checkpoint: {e.Message}");
            }
        }
        else if (settings.Model == "mnist")
        {
            // Reading the data up front turns a missing or malformed folder into an input error before anything is written.
            try
            {
                MnistDataset.Load(settings.Data ?? SteerPaths.FromEnvironment().MnistFolder, maxPerClass: 1);
            }
            catch (DataUnavailableException e)
            {
                throw new InputException(e.Message);
            }
        }
    }

    public static StoredGenerator Load(IAnsiConsole console, ModelSettings settings, torch.Device device)
    {
        if (settings.Checkpoint is { } checkpoint)
        {
            try
            {
                return new StoredGenerator(GeneratorCheckpoint.Load(checkpoint, device), Path.GetFullPath(checkpoint), Reused: true);
            }
            catch (CheckpointException e)
            {
                throw new InputException($"--checkpoint: {e.Message}");
            }
        }
        var store = new GeneratorStore(SteerPaths.FromEnvironment());
        var recipe = BuiltInModels.TryGet(settings.Model)!.Training;
        if (settings.GanSteps is { } steps)
        {
            recipe = recipe with { Steps = steps };
        }
        var stored = new ProgressDisplay(console).Run($"training the {settings.Model} generator", report =>
            store.GetOrTrain(settings.Model, device, settings.Data, recipe,
                new ProgressCallback<TrainingProgress>(p => report(p.Step, p.TotalSteps, $"d={p.Losses["d"]:F3} g={p.Losses["g"]:F3}"))));
        console.WriteLine(stored.Reused
            ? $"generator: reusing {stored.Folder}"
            : $"generator: trained and saved to {stored.Folder} (samples: {Path.Combine(stored.Folder, GeneratorCheckpoint.SamplesFile)})");
        return stored;
    }
}
