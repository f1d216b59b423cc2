using Steerability.Coordinator.Commands;
using Steerability.GpuNode.Contract;
using Steerability.Coordinator.Sweeps;
using Steerability.Experiments.Families;
using Steerability.Experiments.Transforms;

namespace Steerability.Coordinator.Cli;

/// <summary>What a command asks for, beyond the shared model and walk-budget flags.</summary>
/// <param name="Name">The command, which names the spec.</param>
/// <param name="ClassLabel">`all`, or the class labels a walk is trained on (comma-separated).</param>
/// <param name="SeedsGenerators">True when --seed seeds the generators too (remedies); else they keep the family's recipe seed, so a walk reuses the generator `steer train` made.</param>
/// <param name="LearningRate">The walk's rate; null: resolved per edit and walk type at expansion.</param>
public sealed record CommandRequest(string Name, IReadOnlyList<string> Transforms, IReadOnlyList<string> Walks, IReadOnlyList<string> Regimes,
    string ClassLabel = "all", bool PerClass = false, bool SeedsGenerators = false, double? LearningRate = null,
    double? AugmentedShare = null);

/// <summary>
/// The sweep spec of a command: `walk`, `limits`, `demo` and `remedies` build one, expand it with the sweep's own
/// <see cref="TrialExpansion"/> and run its trials locally (<see cref="LocalTrials"/>), so a command and a sweep with
/// the same settings run the same trials and give the same rows.
/// </summary>
public static class CommandSweep
{
    public static SweepSpec Of(WalkBudgetSettings settings, FamilyDescription generator, CommandRequest request)
    {
        var recipe = GeneratorFamilies.Get(settings.Model) is TrainedHereFamily trained ? trained.RecipeFor(generator.Resolved) : null;
        return new SweepSpec
        {
            Name = request.Name,
            SourcePath = "steer " + request.Name,
            Models = [settings.Model],
            Classes = [request.ClassLabel],
            PerClass = request.PerClass,
            Transforms = request.Transforms,
            Walks = request.Walks,
            Regimes = request.Regimes,
            Alphas = request.Transforms.ToDictionary(t => t, _ => new AlphaGrid("default")),
            Seeds = [settings.Seed],
            GeneratorBudget = recipe is null ? null : new Budget(recipe.Steps, recipe.Batch),
            GeneratorSeed = request.SeedsGenerators ? null : recipe?.Seed,
            WalkBudget = new Budget(settings.Steps, settings.Batch),
            EvalLatents = settings.EvaluationLatents,
            LearningRate = request.LearningRate ?? settings.LearningRate,
            AugmentedShare = request.AugmentedShare,
            UserEdits = request.Transforms.Where(t => !TransformCatalog.Names.Contains(t)).ToDictionary(t => t, t => UserEdits.WireOf(TransformCatalog.Create(t))),
            // --gan-steps became the generator budget above; the trials carry the budget, not the flag.
            Generators = new Dictionary<string, FamilyDescription> { [settings.Model] = generator with { Resolved = generator.Resolved.Without(TrainedHereFamily.GanStepsSetting.Name) } },
        };
    }

    /// <summary>Expands the command's spec into its trials.</summary>
    public static IReadOnlyList<Steerability.GpuNode.Contract.TrialSpec> Trials(WalkBudgetSettings settings, FamilyDescription generator, CommandRequest request) =>
        TrialExpansion.Expand(Of(settings, generator, request));
}
