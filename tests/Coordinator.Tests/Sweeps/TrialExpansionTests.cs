using Steerability.GpuNode.Contract;
using Steerability.Coordinator.Sweeps;
using Steerability.Experiments.Families;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Sweeps;

public sealed class TrialExpansionTests
{
    private static SweepSpec Spec(string regimes) => SweepSpecParser.Parse(
        $"sweep: s\nmodels: [shapes]\ntransforms: [zoom, shiftx]\nwalks: [linear, nonlinear]\nregimes: [{regimes}]\nseeds: [0, 1]\n", "s.yaml");

    [Fact]
    public void Plain_walks_share_one_generator_per_model_and_seed()
    {
        var trials = TrialExpansion.Expand(Spec("plain"));

        var generators = trials.Where(t => t.Kind == "generator").ToList();
        Assert.Equal(2, generators.Count);
        Assert.Equal(8, trials.Count(t => t.Kind == "walk"));
        Assert.All(trials.OfType<WalkTrial>(),
            w => Assert.Equal(generators.Single(g => g.Seed == w.Seed).Key, w.GeneratorKey));
    }

    [Fact]
    public void Augmented_walks_need_a_generator_per_transform_and_joint_walks_need_none()
    {
        var trials = TrialExpansion.Expand(Spec("augmented, joint"));

        Assert.Equal(4, trials.Count(t => t.Kind == "generator"));
        Assert.All(trials.OfType<WalkTrial>().Where(t => t.Regime == "augmented"),
            w => Assert.Equal(w.Transform, trials.Single(g => g.Key == w.GeneratorKey).Transform));
        Assert.All(trials.OfType<WalkTrial>().Where(t => t.Regime == "joint"), w =>
        {
            Assert.Equal("", w.GeneratorKey);
            Assert.Equal(Steerability.Experiments.Families.GeneratorFamilies.TrainedHere("shapes").Recipe.Steps, w.Steps);           // G and w train together for the generator's budget
        });
        Assert.True(trials.TakeWhile(t => t.Kind == "generator").Count() == 4, "generators come first");
    }

    [Fact]
    public void Each_walk_type_gets_its_own_learning_rate_from_the_table_when_the_spec_gives_none()
    {
        var walks = TrialExpansion.Expand(SweepSpecParser.Parse(
            "sweep: s\nmodels: [shapes]\ntransforms: [zoom, color]\nwalks: [linear, nonlinear]\n", "s.yaml")).OfType<WalkTrial>().ToList();

        double Rate(string transform, string walk) => walks.Single(w => w.Transform == transform && w.Walk == walk).LearningRate;
        Assert.Equal(WalkSettings.Project.Nonlinear.Rates["zoom"].Rate, Rate("zoom", "nonlinear"));
        Assert.Equal(1e-4, Rate("zoom", "nonlinear"));                                      // the authors' nonlinear geometric rate
        Assert.Equal(1e-3, Rate("color", "nonlinear"));                                     // the authors' nonlinear colour rate
        Assert.Equal(0.1, Rate("zoom", "linear"));
        Assert.Equal(0.05, Rate("color", "linear"));
    }

    [Fact]
    public void A_given_learning_rate_overrides_both_walk_types()
    {
        var walks = TrialExpansion.Expand(SweepSpecParser.Parse(
            "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nwalks: [linear, nonlinear]\nbudget: {walk: {learning_rate: 0.02}}\n", "s.yaml")).OfType<WalkTrial>().ToList();

        Assert.All(walks, w => Assert.Equal(0.02, w.LearningRate));
    }

    [Fact]
    public void The_pretrained_family_carries_the_authors_BigGAN_rates()
    {
        var table = GeneratorFamilies.Get("biggan-deep").Walks;

        Assert.Equal(1e-4, table.Linear.RateFor(TransformCatalog.Create("zoom")).Rate);
        Assert.Equal(1e-3, table.Linear.RateFor(TransformCatalog.Create("shiftx")).Rate);
        Assert.Equal(1e-4, table.Linear.RateFor(TransformCatalog.Create("color")).Rate);
        Assert.Same(WalkSettings.Project, GeneratorFamilies.Get("shapes").Walks);
    }

    [Fact]
    public void Keys_are_stable_distinct_and_ignore_device_placement()
    {
        var first = TrialExpansion.Expand(Spec("plain, augmented, joint"));
        var again = TrialExpansion.Expand(Spec("plain, augmented, joint"));

        Assert.Equal(first.Select(t => t.Key), again.Select(t => t.Key));
        Assert.Equal(first.Count, first.Select(t => t.Key).Distinct().Count());
        Assert.All(first, t => Assert.Matches("^[0-9a-f]{16}$", t.Key));
        var moved = first[0] with { Device = "cuda" };
        Assert.Equal(first[0].Key, moved.Key);
        var changed = first[0] with { Steps = first[0].Steps + 1 };
        Assert.NotEqual(first[0].Key, changed.Key);
    }

    [Fact]
    public void A_trial_survives_a_json_round_trip_with_its_key()
    {
        var trial = (WalkTrial)TrialExpansion.Expand(Spec("plain")).Last();

        var back = (WalkTrial)TrialSpec.FromJson(trial.ToJson());

        Assert.Equal(trial.Key, back.Key);
        Assert.Equal(trial.Alphas, back.Alphas);
    }

    [Fact]
    public void Named_grids_resolve_to_the_paper_grid_of_each_walk_type_and_image_size()
    {
        var walks = TrialExpansion.Expand(Spec("plain")).OfType<WalkTrial>().Where(t => t.Seed == 0).ToList();

        var zoomLinear = walks.Single(t => t.Transform == "zoom" && t.Walk == "linear");
        var zoomNonlinear = walks.Single(t => t.Transform == "zoom" && t.Walk == "nonlinear");
        var shift = walks.Single(t => t.Transform == "shiftx" && t.Walk == "linear");
        Assert.Equal("default", zoomLinear.AlphaGrid);
        Assert.Equal([1.0 / 16, 1.0 / 12, 1.0 / 8, 1.0 / 4, 1.0 / 2, 0.8, 1, 1.2, 2, 4, 8, 12, 16], zoomLinear.Alphas);
        Assert.Equal([1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1, 2, 4, 8, 16], zoomNonlinear.Alphas);
        Assert.Equal([-26, -19, -13, -6, 0, 6, 13, 19, 26], shift.Alphas);                // pixels at 32 px
        Assert.All(walks, w => Assert.Equal(SweepSpecParser.DefaultEvalLatents, w.EvalLatents));
    }

    [Fact]
    public void The_fine_grid_adds_midpoints_in_the_transforms_units()
    {
        var spec = SweepSpecParser.Parse("sweep: s\nmodels: [shapes]\ntransforms: [zoom, shiftx, rotate2d]\nwalks: [linear]\nalphas:\n  zoom: fine\n  shiftx: fine\n  rotate2d: fine\n", "s.yaml");

        var walks = TrialExpansion.Expand(spec).OfType<WalkTrial>().ToDictionary(t => t.Transform);

        Assert.Equal(25, walks["zoom"].Alphas.Length);
        Assert.Contains(1.0954, walks["zoom"].Alphas);                                   // √(1 × 1.2), not 1.1
        Assert.Equal(17, walks["shiftx"].Alphas.Length);
        Assert.All(walks["shiftx"].Alphas, a => Assert.Equal(Math.Round(a), a));           // whole pixels
        Assert.Equal(Enumerable.Range(-8, 17).Select(k => k * 11.25), walks["rotate2d"].Alphas);
    }

    [Fact]
    public void Without_a_generator_budget_each_model_trains_with_its_own_recipe()
    {
        var spec = SweepSpecParser.Parse("sweep: s\nmodels: [shapes, mnist]\ntransforms: [zoom]\nwalks: [linear]\n", "s.yaml");

        var generators = TrialExpansion.Expand(spec).Where(t => t.Kind == "generator").ToDictionary(t => t.Model);

        foreach (var model in new[] { "shapes", "mnist" })
        {
            var recipe = Steerability.Experiments.Families.GeneratorFamilies.TrainedHere(model).Recipe;
            Assert.Equal((recipe.Steps, recipe.Batch), (generators[model].Steps, generators[model].Batch));
        }
    }
}
