using Steerability.Experiments.Families;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Families.TorchScript;
using Steerability.Experiments.Families.BigGanDeep;
using Steerability.Experiments.Families.Mnist;
using Steerability.Experiments.ModelFiles;
using Spectre.Console;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.GpuNode.Trials;
using TorchSharp;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// Gets the generator a command asked for — a built-in one (a given checkpoint, a reused one, or one trained now),
/// BigGAN-deep from the port's files, or a TorchScript file — with progress shown, and checks its flags first.
/// </summary>
public static class GeneratorLoading
{
    /// <summary>Every accepted --model.</summary>
    public static IReadOnlyList<string> Models { get; } = ModelCatalog.Names;

    /// <summary>True for the generators this project trains on its own data (shapes, mnist).</summary>
    public static bool IsBuiltIn(string model) => BuiltInModels.TryGet(model) is not null;

    /// <summary>Checks the model flags before any work starts; returns the generator's class names.</summary>
    public static IReadOnlyList<string> Validate(ModelSettings settings)
    {
        if (!Models.Contains(settings.Model))
        {
            throw new InputException($"--model: '{settings.Model}' is not a model; accepted: {string.Join(", ", Models)}");
        }
        if (settings.GanSteps is { } steps)
        {
            InputChecks.Positive("--gan-steps", steps);
        }
        var entry = ModelCatalog.Get(settings.Model);
        switch (entry.Source)
        {
            case ModelSource.PretrainedWeights:
                return ValidateBigGan(settings);
            case ModelSource.TorchScriptFile:
                var description = TorchScriptDescription(settings);
                return LoadedGenerator.IndexNames(description.ClassCount);
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
                return manifest.ClassNames;
            }
            catch (CheckpointException e)
            {
                throw new InputException($"--checkpoint: {e.Message}");
            }
        }
        if (entry.ReadsDataFolder)
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
        return InputChecks.ClassNamesOf(settings.Model);
    }

    private static IReadOnlyList<string> ValidateBigGan(ModelSettings settings)
    {
        if (settings.Weights is null)
        {
            throw new InputException("--weights: missing; biggan-deep needs the folder of the PyTorch port's config.json and state dict");
        }
        if (!(settings.Truncation > 0 && settings.Truncation <= 1))
        {
            throw new InputException($"--truncation: {settings.Truncation} is not accepted; use a number in (0, 1]");
        }
        try
        {
            var config = BigGanDeepConfig.FromJsonFile(Path.Combine(settings.Weights, BigGanDeepLoader.ConfigFileName));
            BigGanDeepLoader.FindWeightsFile(settings.Weights);
            return LoadedGenerator.IndexNames(config.ClassCount);
        }
        catch (ModelFileException e)
        {
            throw new InputException($"--weights: {e.Message}");
        }
    }

    private static TorchScriptGeneratorDescription? ExplicitDescription(ModelSettings settings)
    {
        if (settings.LatentSize is null && settings.ImageSize is null)
        {
            return null;
        }
        var description = new TorchScriptGeneratorDescription
        {
            LatentSize = settings.LatentSize ?? throw new InputException("--latent-size: missing; give it together with --image-size"),
            ImageSize = settings.ImageSize ?? throw new InputException("--image-size: missing; give it together with --latent-size"),
            ClassCount = settings.ClassCount,
            OutputRange = settings.OutputRange,
        };
        try
        {
            description.Validate();
        }
        catch (FormatException e)
        {
            throw new InputException($"--latent-size/--classes/--image-size/--output-range: {e.Message}");
        }
        return description;
    }

    private static TorchScriptGeneratorDescription TorchScriptDescription(ModelSettings settings)
    {
        if (settings.Generator is null)
        {
            throw new InputException("--generator: missing; torchscript needs the .pt file of a TorchScript generator");
        }
        if (!File.Exists(settings.Generator))
        {
            throw new InputException($"--generator: '{settings.Generator}' does not exist");
        }
        if (ExplicitDescription(settings) is { } explicitDescription)
        {
            return explicitDescription;
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(settings.Generator))!;
        var beside = Path.ChangeExtension(settings.Generator, ".json");
        var path = File.Exists(beside) ? beside : Path.Combine(folder, TorchScriptGeneratorDescription.DefaultFileName);
        try
        {
            return TorchScriptGeneratorDescription.FromJsonFile(path);
        }
        catch (ModelFileException e)
        {
            throw new InputException($"--generator: {e.Message} (describe the generator in {Path.GetFileName(beside)} or {TorchScriptGeneratorDescription.DefaultFileName}, or with --latent-size, --image-size, --classes, --output-range)");
        }
    }

    /// <summary>Loads the generator (call <see cref="Validate"/> first).</summary>
    public static LoadedGenerator Load(IAnsiConsole console, ModelSettings settings, torch.Device device)
    {
        try
        {
            switch (ModelCatalog.Get(settings.Model).Source)
            {
                case ModelSource.PretrainedWeights:
                    return LoadedGenerator.BigGanDeep(settings.Weights!, settings.Truncation, device);
                case ModelSource.TorchScriptFile:
                    return LoadedGenerator.TorchScript(settings.Generator!, ExplicitDescription(settings), device);
            }
            if (settings.Checkpoint is { } checkpoint)
            {
                var loaded = GeneratorCheckpoint.Load(checkpoint, device);
                return new LoadedGenerator(loaded, loaded.ClassNames, $"checkpoint {Path.GetFullPath(checkpoint)}");
            }
        }
        catch (ModelFileException e)
        {
            throw new InputException($"{ModelCatalog.Get(settings.Model).FileFlag}: {e.Message}");
        }
        catch (CheckpointException e)
        {
            throw new InputException($"--checkpoint: {e.Message}");
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
        return new LoadedGenerator(stored.Generator, stored.Generator.ClassNames, stored.Folder);
    }
}
