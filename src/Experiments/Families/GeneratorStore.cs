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
/// Trains the generators of the families trained here, or reuses a checkpoint trained before from the same data,
/// config, recipe and code version (the folder name carries that key). Writes a PNG grid of samples per class beside
/// each checkpoint.
/// </summary>
public sealed class GeneratorStore(SteerPaths paths)
{
    /// <summary>Where this store keeps its checkpoints and finds its data.</summary>
    public SteerPaths Paths => paths;

    /// <summary>Samples per class in the grid written after training.</summary>
    public const int SamplesPerClass = 8;

    /// <summary>Loads the family's generator, training it first when no matching checkpoint exists.</summary>
    public StoredGenerator GetOrTrain(TrainedHereFamily family, FamilyValues values, Device device, GanTrainingOptions recipe,
        IProgress<TrainingProgress>? progress = null, string regime = "plain", GanTrainer.RealBatchEdit? editRealBatch = null, CancellationToken cancel = default)
    {
        var (key, folder) = CheckpointFolder(family, values, recipe, regime);
        if (File.Exists(Path.Combine(folder, GeneratorCheckpoint.ManifestFile)))
        {
            return new StoredGenerator(GeneratorCheckpoint.Load(folder, device), folder, Reused: true);
        }
        // The data is rendered or read only when it is trained on: a reused checkpoint needs just its fingerprint.
        var data = family.LoadData(values, paths);
        var network = GanTrainer.Train(data, family.Config, recipe, device, progress, editRealBatch, cancel);
        var manifest = new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion, family.Name, family.Config,
            data.ClassNames, data.Fingerprint, recipe, regime, GeneratorCheckpoint.CodeVersion, key);
        GeneratorCheckpoint.Save(folder, network, manifest);
        var generator = new DcganGenerator(family.Name, family.Config, network, data.ClassNames, device);
        WriteSamples(generator, Path.Combine(folder, GeneratorCheckpoint.SamplesFile));
        return new StoredGenerator(generator, folder, Reused: false);
    }

    /// <summary>The key and folder of a training run: same family, data, config, recipe and regime, same folder.</summary>
    public (string Key, string Folder) CheckpointFolder(TrainedHereFamily family, FamilyValues values, GanTrainingOptions recipe, string regime)
    {
        var fingerprint = family.DataFingerprint(values, paths);
        var key = GeneratorCheckpoint.KeyOf(family.Name, family.Config, fingerprint, recipe, regime);
        return (key, Path.Combine(paths.Generators, $"{family.Name}-{regime}-{key}"));
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
