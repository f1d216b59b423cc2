using Steerability.Experiments.Attributes;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Imaging;
using Steerability.Experiments.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families;

/// <summary>A generator ready for walks, and where its checkpoint lives.</summary>
public sealed record StoredGenerator(DcganGenerator Generator, string Folder, bool Reused);

/// <summary>
/// Trains the built-in generators or reuses a checkpoint trained before from the same data, config, recipe and
/// code version (the folder name carries that key). Writes a PNG grid of samples per class beside each checkpoint.
/// </summary>
public sealed class GeneratorStore(SteerPaths paths)
{
    /// <summary>Where this store keeps its checkpoints and finds its data.</summary>
    public SteerPaths Paths => paths;

    /// <summary>The training data of a built-in model; mnist from <paramref name="dataFolder"/> or the set-up folder.</summary>
    public LabelledImages LoadData(string name, string? dataFolder) => BuiltInModels.LoadData(name, dataFolder ?? paths.MnistFolder);

    /// <summary>Samples per class in the grid written after training.</summary>
    public const int SamplesPerClass = 8;

    /// <summary>Loads the built-in model <paramref name="name"/>, training it first when no matching checkpoint exists.</summary>
    public StoredGenerator GetOrTrain(string name, Device device, string? dataFolder = null, GanTrainingOptions? training = null,
        IProgress<TrainingProgress>? progress = null, string regime = "plain", GanTrainer.RealBatchEdit? editRealBatch = null, CancellationToken cancel = default)
    {
        var model = BuiltInModels.TryGet(name) ?? throw new ArgumentException($"--model: '{name}' is not a built-in model; accepted: {string.Join(", ", BuiltInModels.Names)}");
        var recipe = training ?? model.Training;
        var (key, folder) = CheckpointFolder(name, model.Config, recipe, regime, dataFolder);
        if (File.Exists(Path.Combine(folder, GeneratorCheckpoint.ManifestFile)))
        {
            return new StoredGenerator(GeneratorCheckpoint.Load(folder, device), folder, Reused: true);
        }
        // The data is rendered or read only when it is trained on: a reused checkpoint needs just its fingerprint.
        var data = LoadData(name, dataFolder);
        var network = GanTrainer.Train(data, model.Config, recipe, device, progress, editRealBatch, cancel);
        var manifest = new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion, name, model.Config,
            data.ClassNames, data.Fingerprint, recipe, regime, GeneratorCheckpoint.CodeVersion, key);
        GeneratorCheckpoint.Save(folder, network, manifest);
        var generator = new DcganGenerator(name, model.Config, network, data.ClassNames, device);
        WriteSamples(generator, Path.Combine(folder, GeneratorCheckpoint.SamplesFile));
        return new StoredGenerator(generator, folder, Reused: false);
    }

    /// <summary>The key and folder of a training run of a built-in model: same data, config, recipe and regime, same folder.</summary>
    public (string Key, string Folder) CheckpointFolder(string name, DcganConfig config, GanTrainingOptions recipe, string regime, string? dataFolder)
    {
        var fingerprint = BuiltInModels.DataFingerprint(name, dataFolder ?? paths.MnistFolder);
        var key = GeneratorCheckpoint.KeyOf(name, config, fingerprint, recipe, regime);
        return (key, Path.Combine(paths.Generators, $"{name}-{regime}-{key}"));
    }

    /// <summary>Writes a grid with one row per class, <see cref="SamplesPerClass"/> samples each.</summary>
    public static void WriteSamples(IImageGenerator generator, string path)
    {
        if (!ImageGrid.IsAvailable)
        {
            return;
        }
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var classes = Math.Max(1, generator.ClassCount);
        var random = new torch.Generator(424242);
        var z = generator.SampleLatents(classes * SamplesPerClass, random);
        var labels = torch.arange(classes, dtype: ScalarType.Int64).repeat_interleave(SamplesPerClass).to(generator.Device);
        ImageGrid.WritePng(generator.Generate(z, labels), classes, SamplesPerClass, path);
    }
}
