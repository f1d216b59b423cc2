using Steerability.Experiments.Runtime;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Experiments.Data;
using Steerability.Experiments.Imaging;
using Steerability.GpuNode.Trials;
using TorchSharp;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer data`: writes a PNG grid of training images, one row per class, to see what a generator learns from.</summary>
public sealed class DataCommand(IAnsiConsole console) : Command<DataCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <MODEL>")]
        [Description("shapes or mnist.")]
        [DefaultValue("shapes")]
        public string Model { get; init; } = "shapes";

        [CommandOption("--data <PATH>")]
        [Description("MNIST folder (default: $STEER_HOME/data/mnist).")]
        public string? Data { get; init; }

        [CommandOption("--per-class <N>")]
        [DefaultValue(8)]
        public int PerClass { get; init; } = 8;

        [CommandOption("--out <FILE>")]
        [Description("PNG file to write.")]
        [DefaultValue("data.png")]
        public string Out { get; init; } = "data.png";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        InputChecks.Model(settings.Model);
        InputChecks.Positive("--per-class", settings.PerClass);
        InputChecks.WritableFolder("--out", Path.GetDirectoryName(Path.GetFullPath(settings.Out)));
        LabelledImages data;
        try
        {
            data = BuiltInModels.LoadData(settings.Model, settings.Data ?? SteerPaths.FromEnvironment().MnistFolder);
        }
        catch (DataUnavailableException e)
        {
            throw new InputException(e.Message);
        }
        var picks = Enumerable.Range(0, data.ClassNames.Count).SelectMany(c => data.IndicesOfClass(c).Take(settings.PerClass)).ToArray();
        ImageGrid.WritePng(data.Images.index_select(0, torch.tensor(picks)), data.ClassNames.Count, settings.PerClass, settings.Out);
        console.WriteLine($"wrote {settings.Out}: {data.ClassNames.Count} classes × {settings.PerClass} of {data.Count} {settings.Model} images");
        return 0;
    }
}
