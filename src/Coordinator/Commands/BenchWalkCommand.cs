using Steerability.Coordinator.Cli;
using Steerability.Experiments.Families;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Trials;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// `steer bench walk`: the walk-training step's throughput — images per second through two generator forwards
/// (target and steered) and one backward, Adam on w — and the process's peak memory. The built-in generators run
/// with random weights (the cost of a step does not depend on them, so no training is needed); biggan-deep and
/// torchscript load the given files.
/// </summary>
public sealed class BenchWalkCommand(IAnsiConsole console) : Command<BenchWalkCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--batch <B>")]
        [DefaultValue(64)]
        public int Batch { get; init; } = 64;

        [CommandOption("--steps <N>")]
        [Description("Timed steps (after warm-up).")]
        [DefaultValue(30)]
        public int Steps { get; init; } = 30;

        [CommandOption("--warmup <N>")]
        [DefaultValue(5)]
        public int Warmup { get; init; } = 5;

        [CommandOption("--transform <T>")]
        [DefaultValue("zoom")]
        public string Transform { get; init; } = "zoom";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        InputChecks.Transform(settings.Transform);
        InputChecks.Positive("--batch", settings.Batch);
        InputChecks.Positive("--steps", settings.Steps);
        var classNames = GeneratorLoading.Validate(settings);
        var device = InputChecks.Device(settings.Device);
        torch.manual_seed(1);
        using var loaded = GeneratorLoading.Family(settings) is TrainedHereFamily family
            ? new LoadedGenerator(new DcganGenerator(settings.Model, family.Config, new DcganGeneratorNetwork(family.Config), classNames, device), classNames, "random weights")
            : GeneratorLoading.Load(console, settings, device, cancellationToken);
        var generator = loaded.Generator;
        var transform = TransformCatalog.Create(settings.Transform);
        using var walk = new LinearWalk(transform, generator.LatentSize, generator.ImageSize, generator.ClassCount, false, new torch.Generator(1), device);
        WalkStepBenchmark.Result measurement;
        try
        {
            measurement = WalkStepBenchmark.Measure(generator, transform, walk, settings.Batch, settings.Warmup, settings.Steps);
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            throw new InputException($"--batch: {settings.Batch} does not fit on {device} at {generator.ImageSize}×{generator.ImageSize} ({generator.Name}): out of memory; try a smaller --batch");
        }
        var table = new Table().Border(TableBorder.Simple).AddColumns("model", "device", "batch", "steps", "images/s", "ms/step", "peak memory");
        table.AddRow(generator.Name, device.ToString(), settings.Batch.ToString(), settings.Steps.ToString(),
            measurement.ImagesPerSecond.ToString("F0"), measurement.MillisecondsPerStep.ToString("F1"), measurement.PeakMemory);
        console.Write(table);
        return 0;
    }

    /// <summary>libtorch reports allocation failures as external exceptions whose message says "out of memory".</summary>
    public static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);
}
