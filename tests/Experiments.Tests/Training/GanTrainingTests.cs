using Steerability.Experiments.Families.Shapes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using TorchSharp;

namespace Steerability.Experiments.Tests.Training;

public sealed class GanTrainingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-gan-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TrainsAFewStepsSavesAndLoadsTheSameGenerator()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 4, imageSize: 16, seed: 1);
        var config = new DcganConfig(LatentSize: 8, ClassCount: 12, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);
        var options = new GanTrainingOptions(Steps: 5, Batch: 8);
        var reports = new List<TrainingProgress>();
        var network = GanTrainer.Train(data, config, options, torch.CPU, new ProgressCallback<TrainingProgress>(reports.Add));
        Assert.Equal(5, reports[^1].Step);
        Assert.True(reports.All(r => double.IsFinite(r.Losses["d"]) && double.IsFinite(r.Losses["g"])));

        var key = GeneratorCheckpoint.KeyOf("shapes", config, data.Fingerprint, options, "plain");
        Assert.NotEqual(key, GeneratorCheckpoint.KeyOf("shapes", config, data.Fingerprint, options with { Steps = 6 }, "plain"));
        var manifest = new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion, "shapes", config, data.ClassNames,
            data.Fingerprint, options, "plain", GeneratorCheckpoint.CodeVersion, key);
        var folder = Path.Combine(_folder, "ckpt");
        GeneratorCheckpoint.Save(folder, network, manifest);
        using var original = new DcganGenerator("shapes", config, network, data.ClassNames, torch.CPU);
        using var loaded = GeneratorCheckpoint.Load(folder, torch.CPU);
        var z = torch.randn(4, 8, generator: new torch.Generator(3));
        var classes = torch.tensor(new long[] { 0, 3, 7, 11 });
        using var noGrad = torch.no_grad();
        Assert.True(torch.allclose(original.Generate(z, classes), loaded.Generate(z, classes)), "a loaded checkpoint generates what was saved");
        Assert.Equal(data.ClassNames, loaded.ClassNames);
    }

    [Fact]
    public void AMissingOrForeignCheckpointIsAOneLineError()
    {
        var missing = Assert.Throws<CheckpointException>(() => GeneratorCheckpoint.Load(Path.Combine(_folder, "none"), torch.CPU));
        Assert.Contains("checkpoint.json", missing.Message);
        Directory.CreateDirectory(Path.Combine(_folder, "bad"));
        File.WriteAllText(Path.Combine(_folder, "bad", "checkpoint.json"), "{ not json");
        var bad = Assert.Throws<CheckpointException>(() => GeneratorCheckpoint.Load(Path.Combine(_folder, "bad"), torch.CPU));
        Assert.DoesNotContain('\n', bad.Message);
    }

    [Fact]
    public void AManifestWithoutItsConfigNamesTheMissingFieldNotTheFormat()
    {
        var folder = Path.Combine(_folder, "noconfig");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "checkpoint.json"),
            $"{{\"format\": \"{GeneratorCheckpoint.Format}\", \"format_version\": {GeneratorCheckpoint.FormatVersion}}}");

        var error = Assert.Throws<CheckpointException>(() => GeneratorCheckpoint.Load(folder, torch.CPU));

        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("field 'config' is missing", error.Message);
    }

    [Fact]
    public void APlacingCheckpointFromTheFreeTurnVersionIsRefusedAndAnUnplacedOneStillLoads()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 2, imageSize: 16, seed: 1);
        var unplaced = new DcganConfig(LatentSize: 8, ClassCount: 12, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);
        var options = new GanTrainingOptions(Steps: 1, Batch: 8);
        string SaveAt(string name, DcganConfig config)
        {
            var folder = Path.Combine(_folder, name);
            using var network = new DcganGeneratorNetwork(config);
            GeneratorCheckpoint.Save(folder, network, new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion,
                "shapes", config, data.ClassNames, data.Fingerprint, options, "plain", "dcgan-2026.11-7", name));
            return folder;
        }
        var placing = SaveAt("placing", unplaced with { Placement = DcganConfig.AffinePlacement });
        var refused = Assert.Throws<CheckpointException>(() => GeneratorCheckpoint.Load(placing, torch.CPU));
        Assert.Contains("dcgan-2026.11-7", refused.Message);
        Assert.Contains("steer train", refused.Message);
        using var loaded = GeneratorCheckpoint.Load(SaveAt("unplaced", unplaced), torch.CPU);
        Assert.Equal(12, loaded.ClassCount);
    }
}
