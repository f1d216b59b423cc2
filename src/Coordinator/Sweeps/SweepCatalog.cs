using Steerability.Experiments.Families;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;

namespace Steerability.Coordinator.Sweeps;

/// <summary>What a sweep spec may name: models (generator families), transforms with their α grids, walks, regimes.</summary>
/// <remarks>
/// Models and transforms come from the science (src/Experiments), so a spec can only name what a worker can run;
/// named α grids are the paper's test grids, which depend on the walk type and the model's image size.
/// </remarks>
public static class SweepCatalog
{
    /// <summary>The generator families a spec may name.</summary>
    public static readonly string[] Models = [.. GeneratorFamilies.SweepNames];

    /// <summary>Every transform, named as in results and on the command line.</summary>
    public static readonly string[] Transforms = [.. TransformCatalog.Names];

    public static readonly string[] Walks = [.. WalkTypes.Names];

    public static readonly string[] Regimes = [.. TrainingRegimes.Names];

    public static readonly string[] DevicePolicies = ["auto", "cpu", "cuda"];

    /// <summary>
    /// Named α grids: `default` is the paper's test grid for the walk type; `fine` adds the midpoint between each
    /// pair of neighbours (geometric for zoom's factors, whole pixels for shifts), about twice as many points.
    /// </summary>
    public static readonly string[] AlphaGrids = ["default", "fine"];

    /// <summary>The values of the named grid for one transform (as the model's family uses it), walk type and image size, ascending.</summary>
    public static double[] Grid(string model, string transform, string grid, string walk, int imageSize)
    {
        var edit = GeneratorFamilies.Get(model).Edit(transform);
        var paper = WalkTypes.Get(walk).TestGrid(edit, imageSize).ToArray();
        return grid switch
        {
            "default" => paper,
            "fine" => Refine(edit, paper),
            _ => throw new ArgumentException($"'{grid}' is not an α grid; accepted: {string.Join(", ", AlphaGrids)}"),
        };
    }

    /// <summary>The grid with a midpoint inserted between neighbours, in the transform's own units.</summary>
    private static double[] Refine(ImageTransform edit, double[] grid)
    {
        var values = new List<double>();
        for (var i = 0; i < grid.Length; i++)
        {
            if (i > 0)
            {
                var (low, high) = (grid[i - 1], grid[i]);
                values.Add(edit.Midpoint(low, high));
            }
            values.Add(grid[i]);
        }
        return values.Distinct().Order().ToArray();
    }
}
