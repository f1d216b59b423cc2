using Steerability.Coordinator.Cli;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Families;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer train`: trains a built-in generator, or reuses the checkpoint of an identical earlier training.</summary>
public sealed class TrainCommand(IAnsiConsole console) : Command<ModelSettings>
{
    public override int Execute(CommandContext context, ModelSettings settings, CancellationToken cancellationToken)
    {
        GeneratorLoading.TrainedHere(settings);
        GeneratorLoading.Validate(settings);
        var device = InputChecks.Device(settings.Device);
        using var loaded = GeneratorLoading.Load(console, settings, device, cancellationToken);
        var generator = loaded.Generator;
        console.WriteLine($"{generator.Name}: {generator.ClassCount} classes, z dim {generator.LatentSize}, {generator.ImageSize}×{generator.ImageSize}×{generator.Channels}, on {device}");
        return 0;
    }
}
