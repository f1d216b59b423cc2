using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Colour as its nonlinear walk learns it, after the authors: luminance, one slider whose α is added to all three
/// channels (no clipping), trained and measured under the name colour. Linear colour keeps its three sliders
/// (<see cref="ColorTransform"/>); the authors never trained a per-channel nonlinear colour walk.
/// </summary>
public sealed class LuminanceTransform : ImageTransform
{
    public override string Name => "color";
    public override double NonlinearStep(int imageSize) => 0.1;
    public override int NonlinearMaxSteps => 5;

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        var shift = alphas.view(-1, 1, 1, 1).to(images.dtype);                         // [N,1,1,1] the same on every channel
        return new EditResult(images + shift, torch.ones_like(images));
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var alphas = new double[count, 1];
        for (var i = 0; i < count; i++)
        {
            alphas[i, 0] = random.NextDouble() - 0.5;                                      // U(-0.5, 0.5), as each colour channel
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => alphas.to(ScalarType.Float32);
    public override IReadOnlyList<double> LinearTestGrid(int imageSize) => Linspace(-1, 1, 9);
    public override (double Low, double High) TrainingRange(int imageSize) => (-0.5, 0.5);

    public override double DefaultLearningRate => 0.05;
    public override string AlphaUnits => "additive image units such as [-0.5, 0, 0.5]";
    public override bool InInnerRange(double alpha, int imageSize) => Math.Abs(alpha) <= 0.25;

    /// <summary>Luminance: the mean over all pixels and channels, in [0, 1].</summary>
    public override string AttributeName => "luminance";
    public override double Attribute(ImageAttributes attributes) => attributes.Intensity;

    /// <summary>α is in units of the [-1, 1] range, the attribute in [0, 1]: half of α.</summary>
    public override double ExpectedAttribute(double unmoved, double alpha) => unmoved + alpha / 2;
}
