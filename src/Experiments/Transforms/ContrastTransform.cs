using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Contrast about mid-grey: every pixel of the [-1, 1] image is scaled by 1 + α (α = 0 leaves it, −1 flattens it to
/// grey, 1 doubles every distance from grey), no clipping; every pixel is defined.
/// </summary>
[BuiltInEdit(80)]
public sealed class ContrastTransform : ImageTransform
{
    public override string Name => "contrast";
    public override double NonlinearStep(int imageSize) => 0.1;
    public override int NonlinearMaxSteps => 5;
    public override double DefaultLearningRate => 0.05;

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        var factor = 1 + alphas.view(-1, 1, 1, 1).to(images.dtype);                      // [N,1,1,1]
        return new EditResult(images * factor, torch.ones_like(images));
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var alphas = new double[count, 1];
        for (var i = 0; i < count; i++)
        {
            alphas[i, 0] = random.NextDouble() - 0.5;                                      // U(-0.5, 0.5)
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => alphas.to(ScalarType.Float32);
    public override IReadOnlyList<double> LinearTestGrid(int imageSize) => Linspace(-1, 1, 9);
    public override (double Low, double High) TrainingRange(int imageSize) => (-0.5, 0.5);

    public override string AlphaUnits => "contrast changes such as [-0.5, 0, 0.5] (0 = none, -1 = flat grey)";

    /// <summary>Below −1 the factor turns negative and the image would be inverted, not flattened.</summary>
    public override string? AlphaProblem(double alpha) => alpha >= -1 ? null : "is not a contrast change; accepted: numbers ≥ -1 (0 = none, -1 = flat grey)";

    public override bool InInnerRange(double alpha, int imageSize) => Math.Abs(alpha) <= 0.25;

    /// <summary>Mean intensity in [0, 1]: scaling about grey moves it away from (or towards) ½ by the same factor.</summary>
    public override string AttributeName => "intensity";
    public override double Attribute(ImageAttributes attributes) => attributes.Intensity;
    public override double ExpectedAttribute(double unmoved, double alpha) => 0.5 + (1 + alpha) * (unmoved - 0.5);
}
