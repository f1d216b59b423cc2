using Steerability.Experiments.Data;
using Steerability.Experiments.Training;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Turns a spec into trials, generators first: the plain and augmented regimes walk in a generator trained by a
/// trial of its own (shared by every walk that needs the same one); the joint regime trains its generator with
/// the walk, so its trials depend on nothing. Named α grids are resolved here, per walk type and model, because the
/// paper's grids differ between linear and nonlinear walks (zoom) and are in pixels for shifts.
/// </summary>
public static class TrialExpansion
{
    public static IReadOnlyList<TrialSpec> Expand(SweepSpec spec)
    {
        var generators = new Dictionary<(string Model, string Regime, string Transform, int Seed), TrialSpec>();
        var walks = new List<TrialSpec>();
        foreach (var model in spec.Models)
        {
            var generatorBudget = GeneratorBudget(spec, model);
            foreach (var seed in spec.Seeds)
            {
                foreach (var transform in spec.Transforms)
                {
                    foreach (var regime in spec.Regimes)
                    {
                        var pretrained = spec.Pretrained.GetValueOrDefault(model);
                        var trainingRegime = TrainingRegimes.Get(regime);
                        // A regime that edits the data trains one generator per transform; the plain one, one for all.
                        var generator = pretrained is not null || !trainingRegime.HasGeneratorOfItsOwn
                            ? null
                            : Generator(generators, spec, generatorBudget, model, regime, trainingRegime.EditsRealData ? transform : "", seed);
                        // The joint regime trains a linear walk together with G (paper §4.4): no joint nonlinear trials.
                        foreach (var walk in spec.Walks.Where(w => !trainingRegime.TrainsWalkWithGenerator || WalkTypes.Get(w).TrainsWithGenerator))
                        {
                            foreach (var label in spec.Classes)
                            {
                                walks.Add(new TrialSpec
                                {
                                    Kind = "walk",
                                    Model = model,
                                    Class = label,
                                    PerClass = spec.PerClass,
                                    Transform = transform,
                                    Walk = walk,
                                    Regime = regime,
                                    Steps = spec.WalkBudget.Steps,
                                    Batch = spec.WalkBudget.Batch,
                                    Seed = seed,
                                    GeneratorSteps = trainingRegime.TrainsWalkWithGenerator ? generatorBudget.Steps : 0,
                                    GeneratorBatch = trainingRegime.TrainsWalkWithGenerator ? generatorBudget.Batch : 0,
                                    AlphaGrid = spec.Alphas[transform].Name,
                                    Alphas = spec.Alphas[transform].Resolve(model, transform, walk, spec.ImageSizeOf(model)),
                                    LearningRate = spec.LearningRate ?? 0,
                                    UserEdit = spec.UserEdits.GetValueOrDefault(transform) ?? "",
                                    AugmentedShare = trainingRegime.EditsRealData ? spec.AugmentedShare ?? 0 : 0,
                                    Weights = pretrained?.Weights ?? "",
                                    Truncation = pretrained?.Truncation ?? 0,
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

    /// <summary>The spec's generator budget, or the model's own recipe when the spec gives none.</summary>
    public static Budget GeneratorBudget(SweepSpec spec, string model)
    {
        if (spec.GeneratorBudget is { } budget)
        {
            return budget;
        }
        if (BuiltInModels.TryGet(model) is not { } builtIn)
        {
            return new Budget(0, 0);                                                         // pretrained: nothing to train
        }
        return new Budget(builtIn.Training.Steps, builtIn.Training.Batch);
    }

    private static TrialSpec Generator(Dictionary<(string, string, string, int), TrialSpec> generators, SweepSpec spec,
        Budget budget, string model, string regime, string transform, int seed)
    {
        var id = (model, regime, transform, seed);
        if (!generators.TryGetValue(id, out var generator))
        {
            generator = new TrialSpec
            {
                Kind = "generator",
                Model = model,
                Transform = transform,
                Regime = regime,
                AugmentedShare = TrainingRegimes.Get(regime).EditsRealData ? spec.AugmentedShare ?? 0 : 0,
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
