namespace Steerability.Coordinator.Sweeps;

/// <summary>What a sweep spec may name: models with their classes, transforms with their α grids, walks, regimes.</summary>
/// <remarks>One table, so that adding a transform or model to the science is one edit here and in src/Experiments.</remarks>
public static class SweepCatalog
{
    /// <summary>Models and their class labels (null: any label made of letters, digits and `_`).</summary>
    public static readonly IReadOnlyDictionary<string, string[]?> Models = new Dictionary<string, string[]?>
    {
        ["shapes"] = null,
        ["mnist"] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    };

    public static readonly string[] Walks = ["linear", "nonlinear"];

    public static readonly string[] Regimes = ["plain", "augmented", "joint"];

    public static readonly string[] DevicePolicies = ["auto", "cpu", "cuda"];

    /// <summary>Transforms with their named α grids. Zoom's α is a scale factor; the others are additive (0 = identity).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, double[]>> Transforms =
        new Dictionary<string, IReadOnlyDictionary<string, double[]>>
        {
            ["zoom"] = Grids([0.25, 0.5, 1, 2, 4], [0.25, 0.35, 0.5, 0.71, 1, 1.41, 2, 2.83, 4]),
            ["shift_x"] = Grids([-0.5, -0.25, 0, 0.25, 0.5], [-0.5, -0.375, -0.25, -0.125, 0, 0.125, 0.25, 0.375, 0.5]),
            ["shift_y"] = Grids([-0.5, -0.25, 0, 0.25, 0.5], [-0.5, -0.375, -0.25, -0.125, 0, 0.125, 0.25, 0.375, 0.5]),
            ["rotate_2d"] = Grids([-90, -45, 0, 45, 90], [-90, -67.5, -45, -22.5, 0, 22.5, 45, 67.5, 90]),
            ["brightness"] = Grids([-0.5, -0.25, 0, 0.25, 0.5], [-0.5, -0.375, -0.25, -0.125, 0, 0.125, 0.25, 0.375, 0.5]),
        };

    private static IReadOnlyDictionary<string, double[]> Grids(double[] standard, double[] fine) =>
        new Dictionary<string, double[]> { ["default"] = standard, ["fine"] = fine };
}
