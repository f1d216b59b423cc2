using Steerability.Coordinator.Cli;
using Steerability.Experiments.Families.Mnist;
using Steerability.Experiments.Families.Shapes;
using System.Text.RegularExpressions;
using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Sweeps;
using Steerability.Coordinator.Tests.Sweeps;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Families;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;

namespace Steerability.Coordinator.Tests.Catalogs;

/// <summary>
/// Each idea lives in one place: an edit owns everything about itself, and edits, walk types, regimes and models
/// each have one catalog that every command, spec check, sweep and report reads.
/// </summary>
public sealed class CatalogTests
{
    /// <summary>The files allowed to name an edit, walk, regime or model in code: the things themselves and their catalogs.</summary>
    private static readonly string[] OwnFiles =
    [
        "src/Experiments/Transforms/", "src/Experiments/Walks/LinearWalk.cs", "src/Experiments/Walks/NonlinearWalk.cs", "src/Experiments/Walks/WalkTypes.cs",
        "src/Experiments/Training/TrainingRegimes.cs", "src/Experiments/Families/",
    ];

    [Fact]
    public void No_code_outside_their_own_files_decides_by_an_edit_walk_regime_or_model_name()
    {
        var names = TransformCatalog.Names.Concat(WalkTypes.Names).Concat(TrainingRegimes.Names).Concat(GeneratorFamilies.Names).Distinct().ToArray();
        var alternatives = string.Join("|", names.Select(Regex.Escape));
        // A switch arm ("zoom" =>, case "zoom":, "zoom" or), a comparison (== "zoom", != "zoom", is "zoom", is not ("zoom")).
        var decision = new Regex($"(case\\s+\"({alternatives})\"|\"({alternatives})\"\\s*(=>|or\\b)|(==|!=)\\s*\"({alternatives})\"|\\bis\\s+(not\\s+)?\\(?\"({alternatives})\")");
        var root = SweepSpecParserTests.RepoRoot();
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.Contains("/obj/") || relative.Contains("/bin/") || OwnFiles.Any(relative.StartsWith))
            {
                continue;
            }
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].TrimStart().StartsWith("//") && decision.IsMatch(lines[i]))
                {
                    found.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }
        Assert.True(found.Count == 0, $"{found.Count} decisions on names outside their own files:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void The_edit_catalog_lists_the_papers_edits_in_order_each_once()
    {
        Assert.Equal(["zoom", "shiftx", "shifty", "brightness", "color", "rotate2d", "rotate3d"], TransformCatalog.Names.Take(7));
        Assert.Equal(TransformCatalog.Names.Count, TransformCatalog.Names.Distinct().Count());
        Assert.All(TransformCatalog.Names, name => Assert.Equal(name, TransformCatalog.Create(name).Name));
        Assert.Null(TransformCatalog.TryCreate("sharpen"));
        Assert.Equal(TransformCatalog.Names, SweepCatalog.Transforms);
    }

    [Fact]
    public void Every_edit_owns_a_consistent_description_of_itself()
    {
        foreach (var name in TransformCatalog.Names)
        {
            var edit = TransformCatalog.Create(name);
            var identity = edit.IdentityAlpha;
            Assert.True(edit.DefaultLearningRate > 0, name);
            Assert.False(string.IsNullOrWhiteSpace(edit.AttributeName), name);
            Assert.False(string.IsNullOrWhiteSpace(edit.AlphaUnits), name);
            Assert.Null(edit.AlphaProblem(identity));
            Assert.True(edit.InInnerRange(identity, 32), $"{name}: the identity is inside the inner range");
            Assert.Equal(3.5, edit.ExpectedAttribute(3.5, identity), 12);                // the identity changes nothing
            var grid = edit.LinearTestGrid(32);
            var axis = grid.Select(edit.AxisValue).ToArray();
            Assert.True(axis.Zip(axis.Skip(1), (a, b) => a < b).All(ordered => ordered), $"{name}: the plot axis keeps the grid's order");
            for (var i = 1; i < grid.Count; i++)
            {
                var middle = edit.Midpoint(grid[i - 1], grid[i]);
                Assert.InRange(middle, grid[i - 1], grid[i]);
                Assert.Null(edit.AlphaProblem(middle));
            }
        }
    }

    [Fact]
    public void The_edits_keep_the_values_the_scattered_switches_had()
    {
        var attributes = new ImageAttributes(Area: 16, CentreX: 1, CentreY: 2, Orientation: 3, Intensity: 0.4, Red: 0.5, Green: 0.6, Blue: 0.7);
        Assert.Equal(4, TransformCatalog.Create("zoom").Attribute(attributes));
        Assert.Equal(1, TransformCatalog.Create("shiftx").Attribute(attributes));
        Assert.Equal(2, TransformCatalog.Create("shifty").Attribute(attributes));
        Assert.Equal(0.4, TransformCatalog.Create("brightness").Attribute(attributes));
        Assert.Equal(0.4, TransformCatalog.Create("color").Attribute(attributes));   // luminance: the image's channel mean (one value; the limits pool sampled pixels)
        Assert.Equal(3, TransformCatalog.Create("rotate2d").Attribute(attributes));
        Assert.Equal(4, TransformCatalog.Create("rotate3d").Attribute(attributes));
        Assert.Equal(["area_sqrt", "centre_x", "centre_y", "luminance", "luminance", "orientation", "area_sqrt"],
            TransformCatalog.Names.Take(7).Select(n => TransformCatalog.Create(n).AttributeName));
        Assert.Equal([0.1, 0.1, 0.1, 0.05, 0.05, 0.1, 0.1], TransformCatalog.Names.Take(7).Select(n => TransformCatalog.Create(n).DefaultLearningRate));
        Assert.Equal(2.0, TransformCatalog.Create("zoom").ExpectedAttribute(4, 2));
        Assert.Equal(0.75, TransformCatalog.Create("brightness").ExpectedAttribute(0.5, 0.5));
        Assert.Equal(1.0, TransformCatalog.Create("zoom").Midpoint(0.5, 2));
        Assert.Equal(7.0, TransformCatalog.Create("shiftx").Midpoint(6, 7));
        Assert.Equal("log2 α", TransformCatalog.Create("zoom").AxisLabel);
        Assert.Equal(-2.0, TransformCatalog.Create("zoom").AxisValue(0.25));
        Assert.NotNull(TransformCatalog.Create("zoom").AlphaProblem(0));
        Assert.NotNull(TransformCatalog.Create("shifty").AlphaProblem(0.5));
        Assert.True(TransformCatalog.Create("shiftx").InInnerRange(8, 32));
        Assert.False(TransformCatalog.Create("shiftx").InInnerRange(9, 32));
    }

    [Fact]
    public void A_model_owns_its_variant_of_an_edit()
    {
        var mnist = GeneratorFamilies.Get("mnist").Edit("rotate2d");
        Assert.Equal((-20.0, 20.0), mnist.TrainingRange(28));
        Assert.Equal(Enumerable.Range(-5, 11).Select(k => 6.0 * k), mnist.LinearTestGrid(32));
        Assert.Equal((-44.0, 44.0), GeneratorFamilies.Get("shapes").Edit("rotate2d").TrainingRange(32));
        Assert.Equal(mnist.LinearTestGrid(32), SweepCatalog.Grid("mnist", "rotate2d", "default", "linear", 32));
    }

    [Fact]
    public void Walk_types_regimes_and_models_each_have_one_catalog_that_specs_and_commands_read()
    {
        Assert.Equal(WalkTypes.Names, SweepCatalog.Walks);
        Assert.Equal(TrainingRegimes.Names, SweepCatalog.Regimes);
        Assert.Equal(GeneratorFamilies.Names, GeneratorLoading.Models);
        Assert.Equal(GeneratorFamilies.All.Where(f => f.RunsInSweeps).Select(f => f.Name), SweepCatalog.Models);
        Assert.Equal(["shapes", "mnist"], GeneratorFamilies.TrainedHereNames);
        Assert.Equal(Enumerable.Range(0, 9).Select(p => Math.Pow(2, p - 4)), WalkTypes.Nonlinear.TestGrid(TransformCatalog.Create("zoom"), 32));
        Assert.Equal("augmented-zoom-0.500", TrainingRegimes.Augmented.CheckpointName("zoom", 0.5));
        Assert.Equal("plain", TrainingRegimes.Plain.CheckpointName("zoom", 0.5));
        Assert.Equal([true, false], WalkTypes.All.Select(w => w.TrainsWithGenerator));
    }
}
