using System.ComponentModel;
using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

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
