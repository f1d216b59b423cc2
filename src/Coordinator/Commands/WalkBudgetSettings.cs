using Steerability.Coordinator.Cli;
using Steerability.Experiments.Walks;
using System.ComponentModel;
using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>The walk-training and evaluation budget shared by walk, limits and demo.</summary>
public class WalkBudgetSettings : ModelSettings
{
    [CommandOption("--steps <N>")]
    [Description("Adam steps of walk training.")]
    [DefaultValue(WalkBudget.DefaultSteps)]
    public int Steps { get; init; } = WalkBudget.DefaultSteps;

    [CommandOption("--lr <RATE>")]
    [Description("Adam learning rate of the walk, for both walk types (default: the family's table, per walk type and edit; `steer walk --help` and `steer models` list it).")]
    public double? LearningRate { get; init; }

    [CommandOption("--batch <B>")]
    [Description("Latents per training step.")]
    [DefaultValue(WalkBudget.DefaultBatch)]
    public int Batch { get; init; } = WalkBudget.DefaultBatch;

    [CommandOption("--seed <S>")]
    [Description("Seeds walk initialisation, latents, classes and α.")]
    [DefaultValue(1)]
    public int Seed { get; init; } = 1;

    [CommandOption("--eval-latents <N>")]
    [Description("Held-out latents per class for evaluation.")]
    [DefaultValue(WalkBudget.DefaultEvalLatents)]
    public int EvaluationLatents { get; init; } = WalkBudget.DefaultEvalLatents;

    /// <summary>Checks the budget flags; throws <see cref="InputException"/> on the first bad one.</summary>
    public void ValidateBudget()
    {
        InputChecks.Positive("--steps", Steps);
        InputChecks.Positive("--batch", Batch);
        InputChecks.Positive("--eval-latents", EvaluationLatents);
        InputChecks.LearningRate("--lr", LearningRate);
    }
}
