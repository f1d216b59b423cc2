using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;
using Steerability.Experiments.Families;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// Flags of commands that use a generator: `--model` names its family, and the other flags carry the family's own
/// settings (<see cref="IGeneratorFamily.Settings"/>), which the family alone checks and interprets; a flag the family
/// does not take is refused. `steer models` lists each family with its settings.
/// </summary>
public class ModelSettings : DeviceSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("The generator family (`steer models` lists them with their settings).")]
    [DefaultValue(GeneratorFamilies.DefaultName)]
    public string Model { get; init; } = GeneratorFamilies.DefaultName;

    [CommandOption("--weights <PATH>")]
    [Description("A pretrained model's weights (file or folder, as its family says).")]
    public string? Weights { get; init; }

    [CommandOption("--truncation <T>")]
    [Description("A pretrained model's truncation, in (0, 1]] (default 1).")]
    public double? Truncation { get; init; }

    [CommandOption("--generator <FILE>")]
    [Description("A generator file you bring (as its family says).")]
    public string? Generator { get; init; }

    [CommandOption("--latent-size <D>")]
    [Description("A generator file's latent size, when no description file is beside it (with --image-size).")]
    public int? LatentSize { get; init; }

    [CommandOption("--classes <N>")]
    [Description("A generator file's number of classes (0: unconditional).")]
    public int? ClassCount { get; init; }

    [CommandOption("--image-size <S>")]
    [Description("A generator file's output side in pixels.")]
    public int? ImageSize { get; init; }

    [CommandOption("--output-range <R>")]
    [Description("A generator file's output range: [[-1,1]] or [[0,1]].")]
    public string? OutputRange { get; init; }

    [CommandOption("--data <PATH>")]
    [Description("The training data of a family trained here, instead of where set-up put it.")]
    public string? Data { get; init; }

    [CommandOption("--gan-steps <N>")]
    [Description("Generator training steps when no checkpoint exists (default: the family's recipe).")]
    public int? GanSteps { get; init; }

    [CommandOption("--checkpoint <DIR>")]
    [Description("Use this generator checkpoint folder (checkpoint.json + generator.safetensors) instead of training or reusing one.")]
    public string? Checkpoint { get; init; }

    /// <summary>The family settings given on the command line, by setting name (flag without dashes).</summary>
    public FamilyValues FamilyValues()
    {
        var given = new Dictionary<string, string?>
        {
            ["weights"] = Weights,
            ["truncation"] = Truncation?.ToString("R", CultureInfo.InvariantCulture),
            ["generator"] = Generator,
            ["latent-size"] = LatentSize?.ToString(CultureInfo.InvariantCulture),
            ["classes"] = ClassCount?.ToString(CultureInfo.InvariantCulture),
            ["image-size"] = ImageSize?.ToString(CultureInfo.InvariantCulture),
            ["output-range"] = OutputRange,
            ["data"] = Data,
            ["gan-steps"] = GanSteps?.ToString(CultureInfo.InvariantCulture),
            ["checkpoint"] = Checkpoint,
        };
        return new FamilyValues(given.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!)));
    }
}
