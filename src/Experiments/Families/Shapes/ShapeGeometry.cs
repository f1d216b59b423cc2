using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
namespace Steerability.Experiments.Families.Shapes;

/// <summary>The twelve shapes of the `shapes` dataset.</summary>
public enum ShapeKind
{
    Circle, Square, Triangle, Plus, Star, Hexagon, Ellipse, Ring, Arrow, Tee, Ell, Diamond,
}

/// <summary>Inside-tests for each shape in its own unit frame (x right, y down, the shape fits in [-1, 1]²).</summary>
public static class ShapeGeometry
{
    private static readonly (double X, double Y)[] TrianglePoints = [(0, -0.95), (0.85, 0.6), (-0.85, 0.6)];
    private static readonly (double X, double Y)[] StarPoints = RegularStar(5, 0.95, 0.4);
    private static readonly (double X, double Y)[] HexagonPoints = RegularStar(6, 0.9, 0.9 * Math.Cos(Math.PI / 6));
    private static readonly (double X, double Y)[] ArrowPoints =
        [(0.95, 0), (0.2, -0.75), (0.2, -0.3), (-0.9, -0.3), (-0.9, 0.3), (0.2, 0.3), (0.2, 0.75)];

    /// <summary>True when unit-frame point (x, y) is inside the shape.</summary>
    public static bool Contains(ShapeKind kind, double x, double y) => kind switch
    {
        ShapeKind.Circle => x * x + y * y <= 0.81,
        ShapeKind.Square => Math.Abs(x) <= 0.72 && Math.Abs(y) <= 0.72,
        ShapeKind.Triangle => InPolygon(TrianglePoints, x, y),
        ShapeKind.Plus => (Math.Abs(x) <= 0.3 && Math.Abs(y) <= 0.9) || (Math.Abs(y) <= 0.3 && Math.Abs(x) <= 0.9),
        ShapeKind.Star => InPolygon(StarPoints, x, y),
        ShapeKind.Hexagon => InPolygon(HexagonPoints, x, y),
        ShapeKind.Ellipse => (x / 0.95) * (x / 0.95) + (y / 0.5) * (y / 0.5) <= 1,
        ShapeKind.Ring => x * x + y * y <= 0.85 && x * x + y * y >= 0.3,
        ShapeKind.Arrow => InPolygon(ArrowPoints, x, y),
        ShapeKind.Tee => (Math.Abs(y + 0.6) <= 0.25 && Math.Abs(x) <= 0.85) || (Math.Abs(x) <= 0.25 && y >= -0.6 && y <= 0.9),
        ShapeKind.Ell => (x >= -0.7 && x <= -0.2 && Math.Abs(y) <= 0.9) || (y >= 0.4 && y <= 0.9 && x >= -0.7 && x <= 0.7),
        ShapeKind.Diamond => Math.Abs(x) / 0.6 + Math.Abs(y) / 0.95 <= 1,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// How far the shape's second moments are from isotropic: (λ1 − λ2)/(λ1 + λ2) of its area's covariance, from 0 (no
    /// principal axis: a circle, or any shape that a turn of 120° or less maps onto itself) to 1 (a line). The detector
    /// reads orientation as the principal axis of these moments, so near 0 it reads noise. Integrated on a
    /// <paramref name="samples"/>² grid over [-1, 1]².
    /// </summary>
    public static double SecondMomentAnisotropy(ShapeKind kind, int samples = 400)
    {
        double count = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (var i = 0; i < samples; i++)
        {
            var y = -1 + (i + 0.5) * 2 / samples;
            for (var j = 0; j < samples; j++)
            {
                var x = -1 + (j + 0.5) * 2 / samples;
                if (Contains(kind, x, y))
                {
                    count++;
                    sx += x;
                    sy += y;
                    sxx += x * x;
                    syy += y * y;
                    sxy += x * y;
                }
            }
        }
        var (mx, my) = (sx / count, sy / count);
        var (cxx, cyy, cxy) = (sxx / count - mx * mx, syy / count - my * my, sxy / count - mx * my);
        var difference = Math.Sqrt((cxx - cyy) * (cxx - cyy) + 4 * cxy * cxy);
        return difference / (cxx + cyy);
    }

    private static (double X, double Y)[] RegularStar(int points, double outer, double inner)
    {
        var vertices = new (double, double)[points * 2];
        for (var i = 0; i < points * 2; i++)
        {
            var radius = i % 2 == 0 ? outer : inner;
            var angle = -Math.PI / 2 + i * Math.PI / points;
            vertices[i] = (radius * Math.Cos(angle), radius * Math.Sin(angle));
        }
        return vertices;
    }

    // Even-odd ray casting.
    private static bool InPolygon((double X, double Y)[] vertices, double x, double y)
    {
        var inside = false;
        for (int i = 0, j = vertices.Length - 1; i < vertices.Length; j = i++)
        {
            var (xi, yi) = vertices[i];
            var (xj, yj) = vertices[j];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            {
                inside = !inside;
            }
        }
        return inside;
    }
}
