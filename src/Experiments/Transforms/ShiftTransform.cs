using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Shift x or y: translate by α whole pixels (positive: right / down), zero fill; the mask is the translated
/// all-ones image. Done by integer indexing, so a pixel moves by exactly α with no interpolation.
/// </summary>
[BuiltInEdit(20, false)]
[BuiltInEdit(30, true)]
public sealed class ShiftTransform(bool vertical) : ImageTransform
{
    /// <summary>True for shift y (rows), false for shift x (columns).</summary>
    public bool Vertical { get; } = vertical;

    public override string Name => Vertical ? "shifty" : "shiftx";

    /// <summary>The authors' 25 px step at 256 px, scaled to the image side.</summary>
    public override double NonlinearStep(int imageSize) => Math.Max(1, Math.Round(25.0 * imageSize / 256));

    public override int NonlinearMaxSteps => 5;

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        using var scope = torch.NewDisposeScope();
        var size = images.shape[3];
        var axis = Vertical ? 2 : 3;
        var offsets = alphas.view(-1).round().to(ScalarType.Int64);                    // [N] whole pixels
        var positions = torch.arange(size, dtype: ScalarType.Int64, device: images.device);   // [S]
        var source = positions.view(1, -1) - offsets.view(-1, 1);                      // [N,S]: output i reads input i − α
        var valid = (source >= 0).logical_and(source < size);                           // [N,S]
        var index = source.clamp(0, size - 1);
        var shape = Vertical ? new long[] { -1, 1, size, 1 } : new long[] { -1, 1, 1, size };
        var gatherIndex = index.view(shape).expand_as(images);                          // [N,C,S,S]
        var mask = valid.view(shape).expand_as(images).to(images.dtype);
        var shifted = images.gather(axis, gatherIndex) * mask;
        return new EditResult(shifted.MoveToOuterDisposeScope(), mask.contiguous().MoveToOuterDisposeScope());
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var alphas = new double[count, 1];
        for (var i = 0; i < count; i++)
        {
            alphas[i, 0] = SignedInteger(random, imageSize / 2 - 1);                      // |α| in [1, S/2 − 1]
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => alphas.to(ScalarType.Float32) / (imageSize / 2.0);

    public override IReadOnlyList<double> LinearTestGrid(int imageSize) =>
        new[] { -4, -3, -2, -1, 0, 1, 2, 3, 4 }.Select(k => Math.Round(k * imageSize / 5.0, MidpointRounding.AwayFromZero)).ToArray();

    public override (double Low, double High) TrainingRange(int imageSize) => (-(imageSize / 2 - 1), imageSize / 2 - 1);

    public override string AlphaUnits => "pixels such as [-8, 0, 8]";

    /// <summary>The edit moves whole pixels; a fractional α would silently be rounded.</summary>
    public override string? AlphaProblem(double alpha) =>
        alpha == Math.Round(alpha) ? null : "is not a whole number of pixels; accepted: whole numbers such as -8 or 8 (0 = no shift)";

    /// <summary>Whole pixels: a fractional midpoint would repeat a neighbour.</summary>
    public override double Midpoint(double low, double high) => Math.Round((low + high) / 2, MidpointRounding.AwayFromZero);

    public override bool InInnerRange(double alpha, int imageSize) => Math.Abs(alpha) <= imageSize / 4.0;

    /// <summary>The foreground centroid's offset from the centre along the shift, in pixels.</summary>
    public override string AttributeName => Vertical ? "centre_y" : "centre_x";
    public override double Attribute(ImageAttributes attributes) => Vertical ? attributes.CentreY : attributes.CentreX;
    public override double ExpectedAttribute(double unmoved, double alpha) => unmoved + alpha;
}
