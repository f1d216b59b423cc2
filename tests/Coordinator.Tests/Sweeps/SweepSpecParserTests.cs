using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Contract;
using Steerability.GpuNode.Trials;
using Steerability.Coordinator;
using Steerability.Coordinator.Sweeps;
using Xunit;

namespace Steerability.Coordinator.Tests.Sweeps;

public sealed class SweepSpecParserTests
{
    private const string Valid = """
        sweep: demo
        models: [shapes, mnist]
        transforms: [zoom, shiftx]
        walks: [linear, nonlinear]
        regimes: [plain, augmented, joint]
        alphas:
          zoom: fine
          shiftx: [-8, 0, 8]
        seeds: [0, 1]
        budget:
          generator: {steps: 10, batch: 4}
          walk: {steps: 5, batch: 2, eval_latents: 4}
        device: cpu
        """;

    [Fact]
    public void A_valid_spec_is_read_with_every_field()
    {
        var spec = SweepSpecParser.Parse(Valid, "demo.yaml");

        Assert.Equal("demo", spec.Name);
        Assert.Equal(["shapes", "mnist"], spec.Models);
        Assert.Equal(["all"], spec.Classes);
        Assert.Equal("fine", spec.Alphas["zoom"].Name);
        Assert.Null(spec.Alphas["zoom"].Values);
        Assert.Equal("custom", spec.Alphas["shiftx"].Name);
        Assert.Equal([-8, 0, 8], spec.Alphas["shiftx"].Values!);
        Assert.Equal(new Budget(10, 4), spec.GeneratorBudget);
        Assert.Equal(new Budget(5, 2), spec.WalkBudget);
        Assert.Equal(4, spec.EvalLatents);
        Assert.Equal("cpu", spec.Device);
    }

    [Fact]
    public void Omitted_fields_take_their_documented_defaults()
    {
        var spec = SweepSpecParser.Parse("sweep: s\nmodels: [shapes]\ntransforms: [zoom]\n", "s.yaml");

        Assert.Equal(["linear", "nonlinear"], spec.Walks);
        Assert.Equal(["plain"], spec.Regimes);
        Assert.Equal([0], spec.Seeds);
        Assert.Equal("default", spec.Alphas["zoom"].Name);
        Assert.Equal(SweepSpecParser.DefaultWalkBudget, spec.WalkBudget);
        Assert.Null(spec.GeneratorBudget);
        Assert.Equal(SweepSpecParser.DefaultEvalLatents, spec.EvalLatents);
        Assert.Equal("auto", spec.Device);
    }

    // Each bad spec: (yaml, expected line, expected field, a fragment of what the message must say).
    public static TheoryData<string, int, string, string> BadSpecs => new()
    {
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom\n", 4, "(syntax)", "accepted" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nwalk: [linear]\n", 4, "walk", "did you mean 'walks'" },
        { "sweep: s\ntransforms: [zoom]\n", 1, "models", "required field is missing" },
        { "sweep: s\nmodels: [shapes, celeba]\ntransforms: [zoom]\n", 2, "models[1]", "'celeba' is not one of the models" },
        { "sweep: s\nmodels: [shapes]\ntransforms:\n  - zoom\n  - warp\n", 5, "transforms[1]", "'warp'" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nwalks: [linear, cubic]\n", 4, "walks[1]", "accepted: linear, nonlinear" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nregimes: [plain, adversarial]\n", 4, "regimes[1]", "accepted: plain, augmented, joint" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nbudget:\n  walk: {steps: -3}\n", 5, "budget.walk.steps", "positive whole number" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nbudget:\n  generator:\n    batch: lots\n", 6, "budget.generator.batch", "'lots'" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [shiftx]\nalphas:\n  shiftx: [8, 0, -8]\n", 5, "alphas.shiftx[1]", "ascending" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [shifty]\nalphas:\n  shifty: [-8, 0.5, 8]\n", 5, "alphas.shifty[1]", "whole number of pixels" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom, shift_x]\n", 3, "transforms[1]", "did you mean 'shiftx'" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nbudget:\n  walk: {eval_latents: 0}\n", 5, "budget.walk.eval_latents", "positive whole number" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nbudget:\n  generator: {eval_latents: 4}\n", 5, "budget.generator.eval_latents", "accepted: steps, batch" },
        { "sweep: s\nmodels: [shapes]\nper_class: true\nclasses: [circle, blob]\ntransforms: [zoom]\n", 4, "classes[1]", "not a class of model 'shapes'" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nalphas:\n  zoom: [0, 1, 2]\n", 5, "alphas.zoom[0]", "numbers > 0" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nalphas:\n  zoom: coarse\n", 5, "alphas.zoom", "accepted: default, fine" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nalphas:\n  rotate2d: default\n", 5, "alphas.rotate2d", "not among the sweep's transforms" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nseeds: [0, x]\n", 4, "seeds[1]", "whole number" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom, zoom]\n", 3, "transforms[1]", "listed twice" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\ndevice: tpu\n", 4, "device", "accepted: auto, cpu, cuda" },
        { "sweep: ../etc\nmodels: [shapes]\ntransforms: [zoom]\n", 1, "sweep", "not a sweep name" },
        { "sweep: s\nmodels: [mnist]\nper_class: true\nclasses: [3, 12]\ntransforms: [zoom]\n", 4, "classes[1]", "not a class of model 'mnist'" },
        { "sweep: s\nmodels: [shapes]\nclasses: [circle]\ntransforms: [zoom]\n", 3, "classes", "needs per_class: true" },
        { "sweep: s\nmodels: {shapes: 1}\ntransforms: [zoom]\n", 2, "models", "found a mapping" },
        { "sweep: s\nmodels: []\ntransforms: [zoom]\n", 2, "models", "empty" },
        { "sweep: s\nmodels: [shapes]\ntransforms: [zoom]\nper_class: maybe\n", 4, "per_class", "boolean" },
        { "sweep: s\nmodels: [shapes]\nmodels: [mnist]\ntransforms: [zoom]\n", 3, "(syntax)", "" },
        { "- just\n- a list\n", 1, "(document)", "mapping" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void A_bad_spec_gives_one_line_naming_file_line_and_field(string yaml, int line, string field, string says)
    {
        var error = Assert.Throws<InputException>(() => SweepSpecParser.Parse(yaml, "experiments/bad.yaml"));

        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"experiments/bad.yaml:{line}: {field}: ", error.Message);
        Assert.Contains(says, error.Message);
    }

    [Fact]
    public void A_missing_spec_file_is_named()
    {
        var error = Assert.Throws<InputException>(() => SweepSpecParser.ParseFile("/nonexistent/spec.yaml"));

        Assert.StartsWith("/nonexistent/spec.yaml: spec file not found", error.Message);
    }

    [Fact]
    public void The_shipped_specs_are_valid()
    {
        var root = RepoRoot();
        var quickstart = SweepSpecParser.ParseFile(Path.Combine(root, "experiments", "quickstart.yaml"));
        var paper = SweepSpecParser.ParseFile(Path.Combine(root, "experiments", "paper-ablation.yaml"));

        Assert.Equal("quickstart", quickstart.Name);
        Assert.Equal(["shapes", "mnist"], paper.Models);
        Assert.Equal(["zoom", "shiftx", "shifty", "brightness", "color", "rotate2d", "rotate3d"], paper.Transforms);   // the paper's edits
        Assert.Equal(SweepCatalog.Regimes, paper.Regimes);
        Assert.Equal(SweepCatalog.Walks, paper.Walks);

        var limits = SweepSpecParser.ParseFile(Path.Combine(root, "experiments", "limits-shapes.yaml"));
        Assert.Equal(paper.Transforms, limits.Transforms);
        Assert.Equal(SweepCatalog.Walks, limits.Walks);
        // Seed 1 and the recipe's budget: the key of the generator `steer train` makes, so the sweep reuses it; seed 2 is
        // the second generator the variability-against-limit figure is measured on (issue 20).
        Assert.Equal([1, 2], limits.Seeds);
        Assert.Null(limits.GeneratorBudget);
    }

    [Fact]
    public void The_BigGan_spec_names_its_missing_weights_in_one_line()
    {
        var path = Path.Combine(RepoRoot(), "experiments", "biggan-paper.yaml");
        var error = Assert.Throws<InputException>(() => SweepSpecParser.ParseFile(path));
        Assert.StartsWith($"{path}:9: pretrained.biggan-deep.weights: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_pretrained_BigGan_sweep_expands_to_walks_without_generator_trials()
    {
        var weights = Path.Combine(RepoRoot(), "tests", "fixtures", "biggan-deep-tiny-a");
        var yaml = $"sweep: b\nmodels: [biggan-deep]\npretrained:\n  biggan-deep: {{weights: {weights}, truncation: 0.4}}\ntransforms: [shiftx]\nwalks: [linear]\nper_class: true\nclasses: [1, 207]\n";
        var spec = SweepSpecParser.Parse(yaml, "b.yaml");
        Assert.Equal(128, spec.ImageSizeOf("biggan-deep"));
        var expanded = TrialExpansion.Expand(spec);
        Assert.All(expanded, t => Assert.Equal("walk", t.Kind));
        var trials = expanded.OfType<WalkTrial>().ToList();
        Assert.Equal(new[] { "1", "207" }, trials.Select(t => t.Class));
        Assert.All(trials, t => Assert.Equal(Path.GetFullPath(weights), t.ModelSettings["weights"]));
        Assert.Equal(new double[] { -102, -77, -51, -26, 0, 26, 51, 77, 102 }, trials[0].Alphas);   // ±S/5…±4S/5 at 128 px

        var joint = Assert.Throws<InputException>(() => SweepSpecParser.Parse(yaml + "regimes: [plain, joint]\n", "b.yaml"));
        Assert.StartsWith("b.yaml:9: regimes: 'joint' trains the generator", joint.Message);
        var missing = Assert.Throws<InputException>(() => SweepSpecParser.Parse("sweep: b\nmodels: [biggan-deep]\ntransforms: [zoom]\n", "b.yaml"));
        Assert.Contains("pretrained.biggan-deep.weights", missing.Message);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Steerability.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Steerability.sln not found above the test folder");
    }
}
