using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.Shapes;

/// <summary>The true attributes one `shapes` image was rendered with (units as in <see cref="ShapeClass"/>; centres in pixels of this image).</summary>
public sealed record ShapeAttributes(double Scale, double CentreX, double CentreY, double Brightness, double Hue, double TintR, double TintG, double TintB, double Rotation);

/// <summary>
/// `shapes`: one shape per class on a plain grey background, rendered deterministically from a seed with each
/// attribute drawn from <see cref="ShapesClassTable"/>. Images are RGB in [-1, 1].
/// </summary>
public static class ShapesDataset
{
    /// <summary>Background level in [0, 1] units before brightness and tint.</summary>
    public const double BackgroundLevel = 0.25;

    private const int Supersampling = 3;

    /// <summary>Renders <paramref name="perClass"/> images of every class at side <paramref name="imageSize"/>.</summary>
    public static (LabelledImages Images, ShapeAttributes[] Truth) Generate(int perClass, int imageSize, int seed)
    {
        var classes = ShapesClassTable.Classes;
        var count = perClass * classes.Count;
        var pixels = new float[count * 3 * imageSize * imageSize];
        var labels = new long[count];
        var truth = new ShapeAttributes[count];
        // Draw all attributes first from one sequential generator so the result does not depend on threading.
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var c = i % classes.Count;
            labels[i] = c;
            truth[i] = Draw(classes[c], random, imageSize);
        }
        Parallel.For(0, count, i => Render(classes[(int)labels[i]].Kind, truth[i], imageSize, pixels.AsSpan(i * 3 * imageSize * imageSize, 3 * imageSize * imageSize)));
        var images = torch.tensor(pixels, new long[] { count, 3, imageSize, imageSize });
        var names = classes.Select(c => c.Name).ToArray();
        return (new LabelledImages("shapes", images, torch.tensor(labels), names, Fingerprint(perClass, imageSize, seed)), truth);
    }

    /// <summary>Identifies a rendering: the table's version, the count per class, the side and the seed.</summary>
    public static string Fingerprint(int perClass, int imageSize, int seed) => $"{ShapesClassTable.Version}:n={perClass}:s={imageSize}:seed={seed}";

    private static ShapeAttributes Draw(ShapeClass shape, Random random, int imageSize)
    {
        var pixelScale = imageSize / 32.0;
        return new ShapeAttributes(
            Scale: shape.Scale.Draw(random),
            CentreX: shape.CentreX.Draw(random) * pixelScale,
            CentreY: shape.CentreY.Draw(random) * pixelScale,
            Brightness: shape.Brightness.Draw(random),
            Hue: shape.Hue.Draw(random),
            TintR: shape.Tint.Draw(random),
            TintG: shape.Tint.Draw(random),
            TintB: shape.Tint.Draw(random),
            Rotation: shape.Rotation.Draw(random));
    }

    /// <summary>Renders one image into <paramref name="target"/> laid out [3, S, S], values in [-1, 1].</summary>
    public static void Render(ShapeKind kind, ShapeAttributes a, int imageSize, Span<float> target)
    {
        var (red, green, blue) = HsvToRgb(a.Hue, 0.8, 0.85);
        var radius = a.Scale * imageSize / 2;
        var centreX = imageSize / 2.0 + a.CentreX;
        var centreY = imageSize / 2.0 + a.CentreY;
        // Counter-clockwise as displayed (y down): map a pixel back into the shape's frame with the inverse rotation.
        var angle = a.Rotation * Math.PI / 180;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var plane = imageSize * imageSize;
        for (var row = 0; row < imageSize; row++)
        {
            for (var column = 0; column < imageSize; column++)
            {
                var hits = 0;
                for (var sy = 0; sy < Supersampling; sy++)
                {
                    for (var sx = 0; sx < Supersampling; sx++)
                    {
                        var dx = column + (sx + 0.5) / Supersampling - centreX;
                        var dy = row + (sy + 0.5) / Supersampling - centreY;
                        var ux = (cos * dx - sin * dy) / radius;
                        var uy = (sin * dx + cos * dy) / radius;
                        if (ShapeGeometry.Contains(kind, ux, uy))
                        {
                            hits++;
                        }
                    }
                }
                var coverage = hits / (double)(Supersampling * Supersampling);
                var at = row * imageSize + column;
                target[at] = ToSigned(BackgroundLevel + coverage * (red - BackgroundLevel) + a.Brightness + a.TintR);
                target[plane + at] = ToSigned(BackgroundLevel + coverage * (green - BackgroundLevel) + a.Brightness + a.TintG);
                target[2 * plane + at] = ToSigned(BackgroundLevel + coverage * (blue - BackgroundLevel) + a.Brightness + a.TintB);
            }
        }
    }

    private static float ToSigned(double unit) => (float)(Math.Clamp(unit, 0, 1) * 2 - 1);

    private static (double R, double G, double B) HsvToRgb(double hue, double saturation, double value)
    {
        hue = ((hue % 360) + 360) % 360;
        var chroma = value * saturation;
        var x = chroma * (1 - Math.Abs(hue / 60 % 2 - 1));
        var m = value - chroma;
        var (r, g, b) = (int)(hue / 60) switch
        {
            0 => (chroma, x, 0.0),
            1 => (x, chroma, 0.0),
            2 => (0.0, chroma, x),
            3 => (0.0, x, chroma),
            4 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        return (r + m, g + m, b + m);
    }
}
