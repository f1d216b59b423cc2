using Steerability.Experiments.Families.Shapes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using TorchSharp;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>A generator checkpoint small enough to train in a test: 16×16 shapes, two steps.</summary>
internal static class TinyCheckpoints
{
    /// <summary>Trains and saves one under <paramref name="parent"/>/checkpoint; <paramref name="change"/> may alter the network before it is saved.</summary>
    public static string Save(string parent, Action<DcganGeneratorNetwork>? change = null)
    {
        var (data, _) = ShapesDataset.Generate(perClass: 2, imageSize: 16, seed: 1);
        var config = new DcganConfig(LatentSize: 8, ClassCount: 12, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);
        var options = new GanTrainingOptions(Steps: 2, Batch: 8, Seed: 1);                  // GanTrainer seeds libtorch with it
        using var network = GanTrainer.Train(data, config, options, torch.CPU);
        change?.Invoke(network);
        var folder = Path.Combine(parent, "checkpoint");
        GeneratorCheckpoint.Save(folder, network, new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion, "shapes", config,
            data.ClassNames, data.Fingerprint, options, "plain", GeneratorCheckpoint.CodeVersion, "test"));
        return folder;
    }
}
