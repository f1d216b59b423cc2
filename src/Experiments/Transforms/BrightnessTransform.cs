using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>Brightness: add α to all three channels, no clipping; every pixel is defined.</summary>
[BuiltInEdit(40)]
public sealed class BrightnessTransform : ImageTransform
{
    public override string Name => "brightness";
    public override double NonlinearStep(int imageSize) => 0.1;
    public override int NonlinearMaxSteps => 5;

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        var shift = alphas.view(-1, 1, 1, 1).to(images.dtype);                         // [N,1,1,1]
        return new EditResult(images + shift, torch.ones_like(images));
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

    public override double DefaultLearningRate => 0.05;
    public override string AlphaUnits => "additive image units such as [-0.5, 0, 0.5]";
    public override bool InInnerRange(double alpha, int imageSize) => Math.Abs(alpha) <= 0.25;

    /// <summary>Luminance as the authors measure it: sampled pixels, each the mean of its three channels, in [0, 1].</summary>
    public override string AttributeName => LuminanceSampler.AttributeName;
    public override string AttributeDescription => LuminanceSampler.Description;
    public override double Attribute(ImageAttributes attributes) => attributes.Intensity;
    public override IEnumerable<double> AttributeValues(ImageAttributes attributes) => attributes.LuminanceSamples;

    /// <summary>α is in units of the [-1, 1] range, the attribute in [0, 1]: half of α.</summary>
    public override double ExpectedAttribute(double unmoved, double alpha) => unmoved + alpha / 2;
}
