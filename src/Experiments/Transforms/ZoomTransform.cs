using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Zoom by factor α: α &lt; 1 crops the centre square of side α·S and resizes it back to S (zoom in by 1/α);
/// α &gt; 1 zero-pads to side α·S and resizes back to S (zoom out). Bilinear; the padded border is masked out.
/// Both are one resampling: output coordinate u (normalised, centre 0) reads the input at α·u.
/// </summary>
[BuiltInEdit(10)]
public sealed class ZoomTransform : ImageTransform
{
    public override string Name => "zoom";
    public override double IdentityAlpha => 1.0;
    public override double NonlinearStep(int imageSize) => 1.41;
    public override int NonlinearMaxSteps => 4;

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        using var scope = torch.NewDisposeScope();
        var n = images.shape[0];
        var scale = alphas.view(-1).to(ScalarType.Float32);                             // [N]
        var theta = torch.zeros(n, 2, 3, dtype: ScalarType.Float32, device: images.device);
        theta[.., 0, 0] = scale;
        theta[.., 1, 1] = scale;
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false).to(images.dtype);   // [N,S,S,2]
        var result = Resample(images, grid);
        return new EditResult(result.Images.MoveToOuterDisposeScope(), result.Mask.MoveToOuterDisposeScope());
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var alphas = new double[count, 1];
        for (var i = 0; i < count; i++)
        {
            // A coin flip between zooming in, U(0.25, 1), and zooming out, U(1, 4).
            alphas[i, 0] = random.Next(2) == 0 ? 0.25 + 0.75 * random.NextDouble() : 1 + 3 * random.NextDouble();
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => alphas.to(ScalarType.Float32).log();

    public override IReadOnlyList<double> LinearTestGrid(int imageSize) =>
        [1.0 / 16, 1.0 / 12, 1.0 / 8, 1.0 / 4, 1.0 / 2, 0.8, 1, 1.2, 2, 4, 8, 12, 16];

    public override IReadOnlyList<double> NonlinearTestGrid(int imageSize) =>
        Enumerable.Range(-4, 9).Select(p => Math.Pow(2, p)).ToArray();

    public override double NonlinearSteps(double alpha, int imageSize) => Math.Log(alpha) / Math.Log(NonlinearStep(imageSize));

    public override double AlphaOfSteps(int steps, int imageSize) => Math.Pow(NonlinearStep(imageSize), steps);

    public override (double Low, double High) TrainingRange(int imageSize) => (0.25, 4);

    public override string AlphaUnits => "zoom factors such as [0.5, 1, 2] (1 = no zoom)";

    public override string? AlphaProblem(double alpha) => alpha > 0 ? null : "is not a zoom factor; accepted: numbers > 0 (1 = no zoom)";

    /// <summary>Zoom factors are multiplicative: halfway between ½ and 2 is 1, not 1.25.</summary>
    public override double Midpoint(double low, double high) => Math.Round(Math.Sqrt(low * high), 4);

    public override bool InInnerRange(double alpha, int imageSize) => alpha >= 0.5 && alpha <= 2;

    /// <summary>√(foreground area): a length, so it scales linearly with the zoom.</summary>
    public override string AttributeName => "area_sqrt";
    public override double Attribute(ImageAttributes attributes) => Math.Sqrt(attributes.Area);

    /// <summary>Zoom by α shrinks lengths by α.</summary>
    public override double ExpectedAttribute(double unmoved, double alpha) => unmoved / alpha;

    public override string AxisLabel => "log2 α";
    public override double AxisValue(double alpha) => alpha > 0 ? Math.Log2(alpha) : alpha;
}
