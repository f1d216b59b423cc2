using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Sweeps;

public sealed class TrialExpansionTests
{
    private static SweepSpec Spec(string regimes) => SweepSpecParser.Parse(
        $"sweep: s\nmodels: [shapes]\ntransforms: [zoom, shift_x]\nwalks: [linear, nonlinear]\nregimes: [{regimes}]\nseeds: [0, 1]\n", "s.yaml");

    [Fact]
    public void Plain_walks_share_one_generator_per_model_and_seed()
    {
        var trials = TrialExpansion.Expand(Spec("plain"));

        var generators = trials.Where(t => t.Kind == "generator").ToList();
        Assert.Equal(2, generators.Count);
        Assert.Equal(8, trials.Count(t => t.Kind == "walk"));
        Assert.All(trials.Where(t => t.Kind == "walk"),
            w => Assert.Equal(generators.Single(g => g.Seed == w.Seed).Key, w.GeneratorKey));
    }

    [Fact]
    public void Augmented_walks_need_a_generator_per_transform_and_joint_walks_need_none()
    {
        var trials = TrialExpansion.Expand(Spec("augmented, joint"));

        Assert.Equal(4, trials.Count(t => t.Kind == "generator"));
        Assert.All(trials.Where(t => t.Regime == "augmented" && t.Kind == "walk"),
            w => Assert.Equal(w.Transform, trials.Single(g => g.Key == w.GeneratorKey).Transform));
        Assert.All(trials.Where(t => t.Regime == "joint"), w =>
        {
            Assert.Equal("", w.GeneratorKey);
            Assert.True(w.GeneratorSteps > 0);
        });
        Assert.True(trials.TakeWhile(t => t.Kind == "generator").Count() == 4, "generators come first");
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
        var trial = TrialExpansion.Expand(Spec("plain")).Last();

        var back = TrialSpec.FromJson(trial.ToJson());

        Assert.Equal(trial.Key, back.Key);
        Assert.Equal(trial.Alphas, back.Alphas);
    }
}
