using Steerability.Experiments.Families;
using Steerability.Experiments.Families.Shapes;

namespace Steerability.Experiments.Tests.Families.Shapes;

/// <summary>
/// The shapes whose orientation is not defined (their second moments are isotropic), which rotate2d's limit leaves
/// out: checked against the geometry the renderer draws.
/// </summary>
public sealed class ShapesSymmetryTests
{
    /// <summary>True when turning the shape by <paramref name="degrees"/> leaves its inside-test unchanged on a fine grid (up to its edge pixels).</summary>
    private static double Mismatch(ShapeKind kind, double degrees)
    {
        var (cos, sin) = (Math.Cos(degrees * Math.PI / 180), Math.Sin(degrees * Math.PI / 180));
        var (differ, inside) = (0, 0);
        const int Samples = 200;
        for (var i = 0; i < Samples; i++)
        {
            for (var j = 0; j < Samples; j++)
            {
                var (x, y) = (-1 + (j + 0.5) * 2 / Samples, -1 + (i + 0.5) * 2 / Samples);
                var here = ShapeGeometry.Contains(kind, x, y);
                inside += here ? 1 : 0;
                differ += here != ShapeGeometry.Contains(kind, cos * x - sin * y, sin * x + cos * y) ? 1 : 0;
            }
        }
        return differ / (double)inside;
    }

    [Fact]
    public void The_classes_without_orientation_are_the_circular_and_the_rotation_symmetric_shapes()
    {
        Assert.Equal(["circle", "hexagon", "plus", "ring", "square", "star", "triangle"], ShapesClassTable.ClassesWithoutOrientation.Keys.Order());
        // The geometry behind it: 90° maps square and plus onto themselves, any turn the circle and ring, 72° the star, 60° the hexagon.
        foreach (var (kind, turn) in new[] { (ShapeKind.Square, 90.0), (ShapeKind.Plus, 90), (ShapeKind.Circle, 37), (ShapeKind.Ring, 37), (ShapeKind.Star, 72), (ShapeKind.Hexagon, 60) })
        {
            Assert.True(Mismatch(kind, turn) < 0.02, $"{kind} at {turn}°: {Mismatch(kind, turn):P1}");
        }
        Assert.Contains("90°-symmetric", ShapesClassTable.ClassesWithoutOrientation["square"]);
        Assert.Contains("circular", ShapesClassTable.ClassesWithoutOrientation["ring"]);
    }

    [Fact]
    public void The_classes_kept_have_a_principal_axis_that_a_quarter_turn_moves()
    {
        foreach (var kind in new[] { ShapeKind.Ellipse, ShapeKind.Arrow, ShapeKind.Tee, ShapeKind.Ell, ShapeKind.Diamond })
        {
            Assert.DoesNotContain(kind.ToString().ToLowerInvariant(), ShapesClassTable.ClassesWithoutOrientation.Keys);
            Assert.True(ShapeGeometry.SecondMomentAnisotropy(kind) > 2 * ShapesClassTable.OrientationAnisotropy, kind.ToString());
            Assert.True(Mismatch(kind, 90) > 0.1, kind.ToString());
        }
        Assert.Equal(0, ShapeGeometry.SecondMomentAnisotropy(ShapeKind.Square), 3);
    }

    [Fact]
    public void Shapes_rotate2d_leaves_them_out_and_its_other_edits_leave_none()
    {
        var family = GeneratorFamilies.Get(ShapesFamily.FamilyName);

        Assert.Equal(ShapesClassTable.ClassesWithoutOrientation, family.Edit("rotate2d").ClassesWithoutAttribute);
        Assert.Empty(family.Edit("zoom").ClassesWithoutAttribute);
        Assert.Empty(GeneratorFamilies.Get("mnist").Edit("rotate2d").ClassesWithoutAttribute);
    }
}
