using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Rotate the image plane about the vertical axis by α degrees and project it back (the authors' homography):
/// H = A2 · T · R_y(φ) · A1 with f = sqrt(H² + W²). Each output pixel reads the input at H⁻¹·(x, y, 1).
/// A1 lifts pixels onto the plane z = 0; docs/paper.md writes a 1 in A1's third row, which puts the plane at depth
/// f + 1 and makes 0° a shrink by f/(f + 1); z = 0 keeps 0° the identity.
/// </summary>
[BuiltInEdit(70)]
public sealed class Rotate3dTransform : ImageTransform
{
    public override string Name => "rotate3d";
    public override double NonlinearStep(int imageSize) => 10;
    public override int NonlinearMaxSteps => 5;

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        using var scope = torch.NewDisposeScope();
        var n = (int)images.shape[0];
        var height = (int)images.shape[2];
        var width = (int)images.shape[3];
        var degrees = alphas.view(-1).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var inverse = new float[n * 9];
        for (var i = 0; i < n; i++)
        {
            var h = Homography(degrees[i], width, height).Inverse();
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 3; c++)
                {
                    inverse[i * 9 + r * 3 + c] = (float)h[r, c];
                }
            }
        }
        var inverseMaps = torch.tensor(inverse, new long[] { n, 3, 3 }).to(images.device);   // [N,3,3]
        // Pixel (i, j) covers [j, j+1] × [i, i+1]; its centre is (j + 0.5, i + 0.5) and the image centre (W/2, H/2).
        var xs = torch.arange(width, dtype: ScalarType.Float32, device: images.device) + 0.5f;
        var ys = torch.arange(height, dtype: ScalarType.Float32, device: images.device) + 0.5f;
        var grid = torch.meshgrid([ys, xs], indexing: "ij");
        var points = torch.stack([grid[1], grid[0], torch.ones_like(grid[0])], dim: -1).view(1, -1, 3);   // [1,HW,3]
        var source = torch.matmul(points, inverseMaps.transpose(1, 2));                   // [N,HW,3]
        var w = source[.., .., 2..3];
        // Points behind the camera have no image; send them far outside so they sample zeros.
        var safeW = torch.where(w.abs() < 1e-8, torch.full_like(w, 1e-8), w);
        var sx = source[.., .., 0..1] / safeW;
        var sy = source[.., .., 1..2] / safeW;
        var behind = w <= 0;
        sx = torch.where(behind, torch.full_like(sx, -1e4), sx);
        sy = torch.where(behind, torch.full_like(sy, -1e4), sy);
        var normalised = torch.cat([sx * (2.0f / width) - 1, sy * (2.0f / height) - 1], dim: -1);   // [N,HW,2]
        var sampling = normalised.view(n, height, width, 2).to(images.dtype);
        var result = Resample(images, sampling);
        return new EditResult(result.Images.MoveToOuterDisposeScope(), result.Mask.MoveToOuterDisposeScope());
    }

    /// <summary>The 3×3 map from a source pixel (x, y, 1) to the target, for a rotation by α degrees.</summary>
    public static MathNet.Numerics.LinearAlgebra.Matrix<double> Homography(double degrees, int width, int height)
    {
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build;
        var f = Math.Sqrt(height * height + width * width);
        var phi = degrees * Math.PI / 180;
        var (cos, sin) = (Math.Cos(phi), Math.Sin(phi));
        var lift = m.DenseOfArray(new double[,] { { 1, 0, -width / 2.0 }, { 0, 1, -height / 2.0 }, { 0, 0, 0 }, { 0, 0, 1 } });
        var rotation = m.DenseOfArray(new double[,] { { cos, 0, -sin, 0 }, { 0, 1, 0, 0 }, { sin, 0, cos, 0 }, { 0, 0, 0, 1 } });
        var translation = m.DenseOfArray(new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, f }, { 0, 0, 0, 1 } });
        var project = m.DenseOfArray(new double[,] { { f, 0, width / 2.0, 0 }, { 0, f, height / 2.0, 0 }, { 0, 0, 1, 0 } });
        return project * translation * rotation * lift;
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var alphas = new double[count, 1];
        for (var i = 0; i < count; i++)
        {
            alphas[i, 0] = SignedInteger(random, 44);
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => alphas.to(ScalarType.Float32) / 45.0;
    public override IReadOnlyList<double> LinearTestGrid(int imageSize) => Linspace(-720, 720, 9);
    public override (double Low, double High) TrainingRange(int imageSize) => (-44, 44);

    public override string AlphaUnits => "degrees such as [-45, 0, 45]";
    public override bool InInnerRange(double alpha, int imageSize) => Math.Abs(alpha) <= 22.5;

    /// <summary>
    /// The α the limit is measured on: ±22.5°, ±45° and ±67.5°. Every value of the test grid linspace(−720, 720, 9) is a
    /// multiple of 180°, where the turn is the identity (0, ±360, ±720) or a mirror image (±180, ±540), so a limit taken
    /// there measures the generator breaking down, not the turn; ±90° is edge-on (the plane projects to a line). The
    /// test grid has no inner point, so these are the rotate2d grid's inner values, not a subset of it.
    /// </summary>
    public override IReadOnlyList<double> LimitAlphas(IReadOnlyList<double> testGrid) => LimitGrid;

    /// <summary>See <see cref="LimitAlphas"/>.</summary>
    public static IReadOnlyList<double> LimitGrid { get; } = [-67.5, -45, -22.5, 22.5, 45, 67.5];

    public override string LimitAlphasReason =>
        "the test grid's ±180°…±720° are identities and mirror images, and ±90° is edge-on, so the limit uses the turns in between";

    /// <summary>√(foreground area): the turn foreshortens the width.</summary>
    public override string AttributeName => "area_sqrt";
    public override string AttributeDescription => "area_sqrt: √(foreground area), foreshortened by √|cos α|";
    public override double Attribute(ImageAttributes attributes) => Math.Sqrt(attributes.Area);

    /// <summary>The width is foreshortened by cos α, so √area by √|cos α|.</summary>
    public override double ExpectedAttribute(double unmoved, double alpha) => unmoved * Math.Sqrt(Math.Abs(Math.Cos(alpha * Math.PI / 180)));
}
