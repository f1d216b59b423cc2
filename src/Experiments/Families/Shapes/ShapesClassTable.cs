using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
namespace Steerability.Experiments.Families.Shapes;

/// <summary>A normal distribution (mean, standard deviation) an attribute is drawn from, clipped to [Low, High].</summary>
public readonly record struct AttributeSpread(double Mean, double Std, double Low, double High)
{
    /// <summary>Draws one value.</summary>
    public double Draw(Random random)
    {
        // Box–Muller: System.Random has no normal sampler.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return Math.Clamp(Mean + Std * normal, Low, High);
    }
}

/// <summary>One class of `shapes`: its shape and the distribution of each attribute of its images.</summary>
/// <param name="Scale">Object radius as a share of half the image side.</param>
/// <param name="CentreX">Object centre's offset from the image centre, pixels at 32 px (scaled with S), right positive.</param>
/// <param name="CentreY">Likewise, down positive.</param>
/// <param name="Brightness">Added to every pixel, in [0, 1] units.</param>
/// <param name="Hue">Object hue in degrees.</param>
/// <param name="Tint">Added to each channel independently (one draw per channel), in [0, 1] units.</param>
/// <param name="Rotation">Object rotation in degrees, counter-clockwise as displayed.</param>
public sealed record ShapeClass(
    string Name, ShapeKind Kind, AttributeSpread Scale, AttributeSpread CentreX, AttributeSpread CentreY,
    AttributeSpread Brightness, AttributeSpread Hue, AttributeSpread Tint, AttributeSpread Rotation);

/// <summary>
/// The documented table behind `shapes` (docs/science.md: "The shapes dataset"). Each attribute's spread takes one of
/// twelve levels, and each attribute orders the classes differently, so classes are narrow in some attributes
/// and wide in others: what the transformation-limit study correlates against.
/// </summary>
public static class ShapesClassTable
{
    /// <summary>Version of the table and renderer; part of every shapes checkpoint's key.</summary>
    public const string Version = "shapes-v3";

    // Spread level (0 = narrowest, 11 = widest) of each attribute for classes in ShapeKind order.
    private static readonly int[] ScaleLevel = [0, 11, 3, 8, 5, 1, 9, 6, 2, 10, 4, 7];
    private static readonly int[] ShiftXLevel = [7, 2, 10, 0, 4, 9, 1, 11, 5, 3, 8, 6];
    private static readonly int[] ShiftYLevel = [4, 8, 1, 11, 2, 6, 10, 0, 9, 5, 7, 3];
    private static readonly int[] BrightnessLevel = [11, 5, 0, 6, 9, 3, 7, 2, 10, 1, 4, 8];
    private static readonly int[] TintLevel = [2, 9, 6, 4, 11, 0, 8, 3, 7, 10, 5, 1];
    private static readonly int[] RotationLevel = [9, 0, 7, 3, 1, 10, 5, 8, 4, 11, 2, 6];

    /// <summary>The twelve classes, index = ShapeKind.</summary>
    public static IReadOnlyList<ShapeClass> Classes { get; } = Enum.GetValues<ShapeKind>().Select(Build).ToArray();

    /// <summary>
    /// Below this second-moment anisotropy (<see cref="ShapeGeometry.SecondMomentAnisotropy"/>) a class's orientation is
    /// not defined: the detector's principal axis is noise, and rotate2d's limit leaves the class out.
    /// </summary>
    public const double OrientationAnisotropy = 0.1;

    /// <summary>
    /// The classes whose orientation is not defined, by name, with the reason rotate2d's limit tables give: every
    /// shape that a turn of 120° or less maps onto itself (or nearly so) has isotropic second moments.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ClassesWithoutOrientation { get; } = Classes
        .Select(c => (c.Name, Anisotropy: ShapeGeometry.SecondMomentAnisotropy(c.Kind), c.Kind))
        .Where(c => c.Anisotropy < OrientationAnisotropy)
        .ToDictionary(c => c.Name, c => $"orientation undefined: {Symmetry(c.Kind)} (second-moment anisotropy {c.Anisotropy:F3} < {OrientationAnisotropy})");

    /// <summary>The turn that maps a shape onto itself, in words.</summary>
    public static string Symmetry(ShapeKind kind) => kind switch
    {
        ShapeKind.Circle or ShapeKind.Ring => "circular",
        ShapeKind.Square or ShapeKind.Plus => "90°-symmetric",
        ShapeKind.Star => "72°-symmetric",
        ShapeKind.Hexagon => "60°-symmetric",
        ShapeKind.Triangle => "nearly 120°-symmetric (isosceles, close to equilateral)",
        ShapeKind.Diamond or ShapeKind.Ellipse => "180°-symmetric",
        _ => "no turn but the full one",
    };

    private static ShapeClass Build(ShapeKind kind)
    {
        var i = (int)kind;
        return new ShapeClass(
            Name: kind.ToString().ToLowerInvariant(),
            Kind: kind,
            Scale: new AttributeSpread(0.5, 0.02 + 0.02 * ScaleLevel[i], 0.2, 0.9),
            CentreX: new AttributeSpread(0, 0.5 + 0.6 * ShiftXLevel[i], -10, 10),
            CentreY: new AttributeSpread(0, 0.5 + 0.6 * ShiftYLevel[i], -10, 10),
            Brightness: new AttributeSpread(0, 0.005 + 0.01 * BrightnessLevel[i], -0.3, 0.3),
            Hue: new AttributeSpread(30.0 * i, 5, 30.0 * i - 15, 30.0 * i + 15),
            Tint: new AttributeSpread(0, 0.002 + 0.004 * TintLevel[i], -0.1, 0.1),
            Rotation: new AttributeSpread(0, 1 + 4.0 * RotationLevel[i], -90, 90));
    }
}
