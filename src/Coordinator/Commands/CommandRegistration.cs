using Spectre.Console;
using Steerability.Experiments.Families;
using Steerability.Experiments.Walks;

using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>Registers the core science commands (train, walk, demo, bench walk).</summary>
public static class CommandRegistration
{
    /// <summary>Which families carry walk defaults of their own, for the walk command's help.</summary>
    private static string WalkDefaultsNote()
    {
        var own = GeneratorFamilies.All.Where(f => f.Walks != WalkSettings.Project).Select(f => $"{f.Name}: {f.Walks.Name}").ToList();
        return own.Count == 0 ? "every family uses these" : $"these are the families trained here; {string.Join(", ", own)}";
    }

    public static void AddCoreCommands(IConfigurator config)
    {
        config.AddCommand<DataCommand>("data")
            .WithDescription("Write a PNG grid of training images, one row per class.")
            .WithExample("data", "--model", GeneratorFamilies.DefaultName, "--out", "shapes.png");
        config.AddCommand<TrainCommand>("train")
            .WithDescription("Train (or reuse) a built-in generator and write a PNG grid of samples per class.")
            .WithExample("train", "--model", GeneratorFamilies.DefaultName);
        config.AddCommand<WalkCommand>("walk")
            .WithDescription("Learn a walk for one transform, evaluate it along α, write alpha_metrics.parquet and a strip.\n"
                + Markup.Escape($"{WalkSettings.Describe(WalkSettings.Project)} (--lr overrides; {WalkDefaultsNote()})"))
            .WithExample("walk", "--model", GeneratorFamilies.DefaultName, "--transform", "zoom", "--walk", "linear", "--out", "results/zoom");
        config.AddCommand<LimitsCommand>("limits")
            .WithDescription("Dataset variability vs how far a walk goes, per class, and their correlation (paper §4.2).")
            .WithExample("limits", "--model", GeneratorFamilies.DefaultName, "--transform", "zoom", "--out", "results/limits-zoom");
        config.AddCommand<RemediesCommand>("remedies")
            .WithDescription("Masked L2 along α with G trained plain, on edit-augmented data, or jointly with w (paper §4.4).")
            .WithExample("remedies", "--model", GeneratorFamilies.DefaultName, "--transform", "rotate2d", "--out", "results/remedies");
        config.AddCommand<ModelsCommand>("models")
            .WithDescription("The generator families with their settings, and the edits with their default walk learning rates.")
            .WithExample("models");
        config.AddCommand<DemoCommand>("demo")
            .WithDescription("The embedded default: every transform, linear and nonlinear, on the shapes generator.")
            .WithExample("demo", "--out", "results/demo");
        config.AddBranch("bench", bench =>
        {
            bench.SetDescription("Benchmarks.");
            bench.AddCommand<BenchWalkCommand>("walk")
                .WithDescription("Walk-training throughput (images/s through two generator forwards and one backward) and peak memory.");
            SweepCommandRegistration.AddBenchCommands(bench);
        });
    }
}
