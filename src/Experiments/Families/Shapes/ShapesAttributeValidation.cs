using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using TorchSharp;

namespace Steerability.Experiments.Families.Shapes;


/// <summary>
/// Checks a detector against the true attributes `shapes` keeps. Centres are compared on the point-symmetric
/// shapes (for the others the centroid is not the shape's centre); scale through √area, with each shape's area at
/// scale 1 measured once; orientation on the elongated shapes (ellipse, diamond), modulo 180°; brightness as the
/// change in measured intensity against the same image rendered at brightness 0.
/// </summary>
public static class ShapesAttributeValidation
{
    private static readonly ShapeKind[] PointSymmetric = [ShapeKind.Circle, ShapeKind.Square, ShapeKind.Plus, ShapeKind.Hexagon, ShapeKind.Ellipse, ShapeKind.Ring, ShapeKind.Diamond];
    private static readonly ShapeKind[] Elongated = [ShapeKind.Ellipse, ShapeKind.Diamond];

    public static IReadOnlyList<AttributeError> Validate(IAttributeDetector detector, int perClass, int seed, int imageSize = 32)
    {
        var (data, truth) = ShapesDataset.Generate(perClass, imageSize, seed);
        var measured = new List<ImageAttributes>();
        for (var start = 0; start < data.Count; start += 256)
        {
            using var scope = torch.NewDisposeScope();
            measured.AddRange(detector.Measure(data.Images[start..Math.Min(data.Count, start + 256)]));
        }
        var kinds = data.Labels.data<long>().Select(l => ShapesClassTable.Classes[(int)l].Kind).ToArray();
        var unitArea = Enum.GetValues<ShapeKind>().ToDictionary(k => k, k => UnitArea(detector, k, imageSize));

        var symmetric = Enumerable.Range(0, data.Count).Where(i => PointSymmetric.Contains(kinds[i])).ToArray();
        var elongated = Enumerable.Range(0, data.Count).Where(i => Elongated.Contains(kinds[i])).ToArray();
        var all = Enumerable.Range(0, data.Count).ToArray();
        var brightnessSample = all.Take(240).ToArray();
        var brightnessErrors = brightnessSample.Select(i =>
        {
            var flat = Measure(detector, kinds[i], truth[i] with { Brightness = 0 }, imageSize).Intensity;
            return Math.Abs(measured[i].Intensity - flat - truth[i].Brightness);
        }).ToArray();
        return
        [
            new("centre_x", "px", "point-symmetric", symmetric.Average(i => Math.Abs(measured[i].CentreX - truth[i].CentreX)), symmetric.Length),
            new("centre_y", "px", "point-symmetric", symmetric.Average(i => Math.Abs(measured[i].CentreY - truth[i].CentreY)), symmetric.Length),
            new("scale", "relative", "all", all.Average(i => Math.Abs(Math.Sqrt(measured[i].Area / unitArea[kinds[i]]) - truth[i].Scale) / truth[i].Scale), all.Length),
            new("orientation", "degrees", "ellipse, diamond", elongated.Average(i => AngleError(measured[i].Orientation, truth[i].Rotation + LongAxis(kinds[i]))), elongated.Length),
            new("brightness", "[0, 1] units", "all (first 240)", brightnessErrors.Average(), brightnessErrors.Length),
        ];
    }

    /// <summary>Area a shape covers at scale 1 (centred, unrotated, no brightness or tint).</summary>
    private static double UnitArea(IAttributeDetector detector, ShapeKind kind, int imageSize) =>
        Measure(detector, kind, new ShapeAttributes(0.5, 0, 0, 0, 30 * (int)kind, 0, 0, 0, 0), imageSize).Area / 0.25;

    private static ImageAttributes Measure(IAttributeDetector detector, ShapeKind kind, ShapeAttributes attributes, int imageSize)
    {
        var pixels = new float[3 * imageSize * imageSize];
        ShapesDataset.Render(kind, attributes, imageSize, pixels);
        using var image = torch.tensor(pixels, new long[] { 1, 3, imageSize, imageSize });
        return detector.Measure(image)[0];
    }

    /// <summary>The angle of a shape's long axis at rotation 0: the ellipse lies along x, the diamond along y.</summary>
    private static double LongAxis(ShapeKind kind) => kind == ShapeKind.Diamond ? 90 : 0;

    /// <summary>Difference of two axis angles modulo 180°, in [0, 90].</summary>
    private static double AngleError(double a, double b)
    {
        var difference = Math.Abs(a - b) % 180;
        return Math.Min(difference, 180 - difference);
    }
}
