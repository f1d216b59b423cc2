using Steerability.Coordinator.Cli;
using Steerability.Experiments.Families;
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
        [Description("A family trained here (`steer models`).")]
        [DefaultValue(GeneratorFamilies.DefaultName)]
        public string Model { get; init; } = GeneratorFamilies.DefaultName;

        [CommandOption("--data <PATH>")]
        [Description("The family's training data, instead of where set-up put it.")]
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
        InputChecks.Positive("--per-class", settings.PerClass);
        InputChecks.WritableFolder("--out", Path.GetDirectoryName(Path.GetFullPath(settings.Out)));
        var family = GeneratorFamilies.TryGet(settings.Model) as TrainedHereFamily
            ?? throw new InputException($"--model: '{settings.Model}' is not a model trained here on its own data; accepted: {string.Join(", ", GeneratorFamilies.TrainedHereNames)}");
        var values = new FamilyValues(settings.Data is null ? [] : [new KeyValuePair<string, string>("data", settings.Data)]);
        GeneratorLoading.AsInputError(() => GeneratorFamilies.Describe(family, values, SteerPaths.FromEnvironment()));
        var data = GeneratorLoading.AsInputError(() => family.LoadData(values, SteerPaths.FromEnvironment()));
        var picks = Enumerable.Range(0, data.ClassNames.Count).SelectMany(c => data.IndicesOfClass(c).Take(settings.PerClass)).ToArray();
        ImageGrid.WritePng(data.Images.index_select(0, torch.tensor(picks)), data.ClassNames.Count, settings.PerClass, settings.Out);
        console.WriteLine($"wrote {settings.Out}: {data.ClassNames.Count} classes × {settings.PerClass} of {data.Count} {settings.Model} images");
        return 0;
    }
}
