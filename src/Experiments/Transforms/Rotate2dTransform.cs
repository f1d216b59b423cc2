using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Rotate about the image centre by α degrees, counter-clockwise as displayed; bilinear, zero fill; the mask is
/// the rotated all-ones image.
/// </summary>
[BuiltInEdit(60)]
public sealed class Rotate2dTransform : ImageTransform
{
    public override string Name => "rotate2d";
    public override double NonlinearStep(int imageSize) => 10;
    public override int NonlinearMaxSteps => 5;

    /// <summary>The largest training |α| in degrees (the paper: 44; the remedies study on MNIST: 20).</summary>
    public int MaxTrainingDegrees { get; init; } = 44;

    /// <summary>The test grid in degrees; null: the paper's −90…90 in steps of 22.5.</summary>
    public IReadOnlyList<double>? TestGrid { get; init; }

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        using var scope = torch.NewDisposeScope();
        var radians = alphas.view(-1).to(ScalarType.Float32) * (float)(Math.PI / 180);  // [N]
        var cos = radians.cos();
        var sin = radians.sin();
        var theta = torch.zeros(images.shape[0], 2, 3, dtype: ScalarType.Float32, device: images.device);
        // Output coordinate (u, v) reads the input at R·(u, v); with v pointing down this turns the picture
        // counter-clockwise (a dot right of the centre goes up for α = 90).
        theta[.., 0, 0] = cos;
        theta[.., 0, 1] = -sin;
        theta[.., 1, 0] = sin;
        theta[.., 1, 1] = cos;
        var grid = nn.functional.affine_grid(theta, images.shape, align_corners: false).to(images.dtype);
        var result = Resample(images, grid);
        return new EditResult(result.Images.MoveToOuterDisposeScope(), result.Mask.MoveToOuterDisposeScope());
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var alphas = new double[count, 1];
        for (var i = 0; i < count; i++)
        {
            alphas[i, 0] = SignedInteger(random, MaxTrainingDegrees);
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => alphas.to(ScalarType.Float32) / 45.0;
    public override IReadOnlyList<double> LinearTestGrid(int imageSize) => TestGrid ?? Linspace(-90, 90, 9);
    public override (double Low, double High) TrainingRange(int imageSize) => (-MaxTrainingDegrees, MaxTrainingDegrees);

    public override string AlphaUnits => "degrees such as [-45, 0, 45]";
    public override bool InInnerRange(double alpha, int imageSize) => Math.Abs(alpha) <= 22.5;

    /// <summary>The foreground's principal axis from second moments, in degrees.</summary>
    public override string AttributeName => "orientation";
    public override string AttributeDescription => "orientation: the foreground's principal axis from its second moments, degrees";
    public override double Attribute(ImageAttributes attributes) => attributes.Orientation;
    public override double ExpectedAttribute(double unmoved, double alpha) => unmoved + alpha;
}
