using Steerability.Coordinator.Commands;
using Steerability.GpuNode.Contract;
using Steerability.Experiments.Families;
using Steerability.Experiments.Training;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Turns a spec into trials, generators first, with every value resolved here, once: the family's settings and
/// recipe, the walk's learning rate (per walk type and edit, from the family's walk defaults), the augmented share, and the α grid (named grids differ between linear and
/// nonlinear walks and are in pixels for shifts). The plain and augmented regimes walk in a generator trained by a
/// trial of its own (shared by every walk that needs the same one); the joint regime trains its generator with the
/// walk, so its trials depend on nothing.
/// </summary>
public static class TrialExpansion
{
    public static IReadOnlyList<TrialSpec> Expand(SweepSpec spec)
    {
        var generators = new Dictionary<(string Model, string Regime, string Transform, int Seed), GeneratorTrial>();
        var walks = new List<TrialSpec>();
        foreach (var model in spec.Models)
        {
            var family = GeneratorFamilies.Get(model);
            var settings = new SortedDictionary<string, string>(spec.Generators[model].Resolved.Given.ToDictionary(), StringComparer.Ordinal);
            var generatorBudget = GeneratorBudget(spec, model);
            foreach (var seed in spec.Seeds)
            {
                foreach (var transform in spec.Transforms)
                {
                    var edit = family.Edit(transform);
                    foreach (var regime in spec.Regimes)
                    {
                        var trainingRegime = TrainingRegimes.Get(regime);
                        var share = trainingRegime.EditsRealData ? spec.AugmentedShare ?? EditAugmentation.DefaultShare : 0;
                        // A regime that edits the data trains one generator per transform; the plain one, one for all.
                        var generator = family is not TrainedHereFamily trained || !trained.NeedsTraining(spec.Generators[model].Resolved) || !trainingRegime.HasGeneratorOfItsOwn
                            ? null
                            : Generator(generators, spec, generatorBudget, model, settings, regime, trainingRegime.EditsRealData ? transform : "", share, spec.GeneratorSeed ?? seed);
                        // The joint regime trains a linear walk together with G (paper §4.4): no joint nonlinear trials,
                        // and the walk trains for the generator's budget.
                        var budget = trainingRegime.TrainsWalkWithGenerator ? generatorBudget : spec.WalkBudget;
                        foreach (var walk in spec.Walks.Where(w => !trainingRegime.TrainsWalkWithGenerator || WalkTypes.Get(w).TrainsWithGenerator))
                        {
                            foreach (var label in spec.Classes)
                            {
                                walks.Add(new WalkTrial
                                {
                                    Model = model,
                                    ModelSettings = settings,
                                    Class = label,
                                    PerClass = spec.PerClass,
                                    Transform = transform,
                                    Walk = walk,
                                    Regime = regime,
                                    Steps = budget.Steps,
                                    Batch = budget.Batch,
                                    Seed = seed,
                                    AlphaGrid = spec.Alphas[transform].Name,
                                    Alphas = spec.Alphas[transform].Resolve(model, transform, walk, spec.ImageSizeOf(model)),
                                    LearningRate = WalkLearningRate.Resolve(spec.LearningRate, WalkTypes.Get(walk).EditOf(edit), walk, family.Walks),
                                    UserEdit = spec.UserEdits.GetValueOrDefault(transform) ?? "",
                                    AugmentedShare = share,
                                    EvalLatents = spec.EvalLatents,
                                    GeneratorKey = generator?.Key ?? "",
                                    Device = spec.Device,
                                });
                            }
                        }
                    }
                }
            }
        }
        return [.. generators.Values, .. walks];
    }

    /// <summary>The spec's generator budget, or the family's own recipe when the spec gives none (nothing, for a pretrained family).</summary>
    public static Budget GeneratorBudget(SweepSpec spec, string model)
    {
        if (spec.GeneratorBudget is { } budget)
        {
            return budget;
        }
        return GeneratorFamilies.Get(model) is TrainedHereFamily family ? new Budget(family.Recipe.Steps, family.Recipe.Batch) : new Budget(0, 0);
    }

    private static GeneratorTrial Generator(Dictionary<(string, string, string, int), GeneratorTrial> generators, SweepSpec spec,
        Budget budget, string model, SortedDictionary<string, string> settings, string regime, string transform, double share, int seed)
    {
        var id = (model, regime, transform, seed);
        if (!generators.TryGetValue(id, out var generator))
        {
            generator = new GeneratorTrial
            {
                Model = model,
                ModelSettings = settings,
                Transform = transform,
                Regime = regime,
                AugmentedShare = share,
                UserEdit = spec.UserEdits.GetValueOrDefault(transform) ?? "",
                Steps = budget.Steps,
                Batch = budget.Batch,
                Seed = seed,
                Device = spec.Device,
            };
            generators[id] = generator;
        }
        return generator;
    }
}
