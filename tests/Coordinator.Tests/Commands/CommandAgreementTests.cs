using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Contract;
using Spectre.Console.Cli;
using Spectre.Console.Testing;
using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Sweeps;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using TorchSharp;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>
/// `walk`, `limits` and `demo` run exactly the trials a sweep with the same settings expands to (same keys: same
/// configuration, same runner, same rows), and each uses its family's own variant of an edit.
/// </summary>
public sealed class CommandAgreementTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-agree-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string TwinSpec = """
        sweep: twin
        models: [shapes]
        transforms: [zoom, rotate2d]
        walks: [linear, nonlinear]
        seeds: [1]
        budget:
          generator: {steps: 3, batch: 64}
          walk: {steps: 2, batch: 4, eval_latents: 2}
        """;

    private WalkCommand.Settings Walk(string transform, string walk) => new()
    {
        Transform = transform,
        Walk = walk,
        GanSteps = 3,
        Steps = 2,
        Batch = 4,
        EvaluationLatents = 2,
        Seed = 1,
        Out = Path.Combine(_folder, "out"),
    };

    private static IEnumerable<string> KeysOf(IEnumerable<TrialSpec> trials) => trials.Select(t => t.Key).Order();

    [Fact]
    public void Walk_and_limits_run_the_trials_of_the_twin_sweep()
    {
        var spec = TrialExpansion.Expand(SweepSpecParser.Parse(TwinSpec, "twin.yaml"));
        foreach (var (transform, walk) in new[] { ("zoom", "linear"), ("rotate2d", "nonlinear") })
        {
            var settings = Walk(transform, walk);
            foreach (var command in new[] { "walk", "limits" })
            {
                var (generator, request) = WalkCommand.Validate(settings, command);
                var trials = CommandSweep.Trials(settings, generator, request);
                var twin = spec.Where(t => t is GeneratorTrial || (t is WalkTrial w && w.Transform == transform && w.Walk == walk));
                Assert.Equal(KeysOf(twin), KeysOf(trials));
            }
        }
    }

    [Fact]
    public void Demo_runs_the_trials_of_the_twin_sweep()
    {
        var settings = new DemoCommand.Settings { Transforms = "zoom,rotate2d", GanSteps = 3, Steps = 2, Batch = 4, EvaluationLatents = 2, Seed = 1 };
        var trials = DemoCommand.Trials(settings, GeneratorLoading.Describe(settings));
        Assert.Equal(KeysOf(TrialExpansion.Expand(SweepSpecParser.Parse(TwinSpec, "twin.yaml"))), KeysOf(trials));
    }

    /// <summary>An untrained mnist-shaped checkpoint (10 classes) and an MNIST-format folder of bars at two angles per class.</summary>
    private (string Checkpoint, string Data) TinyMnist()
    {
        var config = new DcganConfig(LatentSize: 8, ClassCount: 10, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);
        torch.manual_seed(3);
        using var network = new DcganGeneratorNetwork(config);
        var names = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();
        var checkpoint = Path.Combine(_folder, "mnist-checkpoint");
        GeneratorCheckpoint.Save(checkpoint, network, new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion, "mnist", config,
            names, "test", new Steerability.Experiments.Training.GanTrainingOptions(Steps: 1), "plain", GeneratorCheckpoint.CodeVersion, "test"));
        var data = Directory.CreateDirectory(Path.Combine(_folder, "mnist-data")).FullName;
        static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
        const int Count = 40;
        var images = new List<byte>([.. BigEndian(2051), .. BigEndian(Count), .. BigEndian(28), .. BigEndian(28)]);
        var labels = new List<byte>([.. BigEndian(2049), .. BigEndian(Count)]);
        for (var i = 0; i < Count; i++)
        {
            var digit = new byte[28 * 28];
            var slope = (i % 4) - 1.5;                                                     // bars at four angles
            for (var x = 6; x < 22; x++)
            {
                var y = 14 + (int)Math.Round(slope * (x - 14) / 4);
                digit[y * 28 + x] = 255;
                digit[(y + 1) * 28 + x] = 255;
            }
            images.AddRange(digit);
            labels.Add((byte)(i % 10));
        }
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), [.. images]);
        File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), [.. labels]);
        return (checkpoint, data);
    }

    [Fact]
    public async Task A_demo_on_mnist_measures_rotate2d_on_mnists_own_grid()
    {
        var (checkpoint, data) = TinyMnist();
        var output = Path.Combine(_folder, "demo");
        var errors = new StringWriter();
        var code = SteerApp.Run(["demo", "--model", "mnist", "--checkpoint", checkpoint, "--data", data, "--transforms", "rotate2d", "--walks", "linear",
            "--steps", "2", "--batch", "4", "--eval-latents", "2", "--device", "cpu", "--out", output], new TestConsole().Width(160), errors);
        Assert.True(code == 0, errors.ToString());
        // mnist's rotate2d (paper §4.4): tested from −30° to 30° in steps of 6, not the catalog's ±90°.
        var mnistGrid = Enumerable.Range(-5, 11).Select(k => 6.0 * k).ToArray();
        var metrics = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, "alpha_metrics.parquet"));
        Assert.Equal(mnistGrid, metrics.Select(r => r.Alpha).Distinct().Order());
        var attributes = await ParquetFile.ReadAsync<AttributeRecord>(Path.Combine(output, "attributes.parquet"));
        Assert.Equal(mnistGrid, attributes.Select(r => r.Alpha).Distinct().Order());
    }
}
