using Steerability.Experiments.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Color: add α_c to channel c, no clipping; three walk vectors, one per channel. Its nonlinear walk is luminance
/// (<see cref="LuminanceTransform"/>), as the authors'.
/// </summary>
[BuiltInEdit(50)]
public sealed class ColorTransform : ImageTransform
{
    public override string Name => "color";
    public override int Dimensions => 3;
    public override double NonlinearStep(int imageSize) => 0.1;
    public override int NonlinearMaxSteps => 5;
    public override ImageTransform NonlinearEdit => new LuminanceTransform();

    protected override EditResult Edit(Tensor images, Tensor alphas)
    {
        var shift = alphas.view(-1, 3, 1, 1).to(images.dtype);                         // [N,3,1,1]
        return new EditResult(images + shift, torch.ones_like(images));
    }

    public override double[,] SampleTrainingAlphas(int count, Random random, int imageSize)
    {
        var alphas = new double[count, 3];
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                alphas[i, c] = random.NextDouble() - 0.5;                                  // each channel U(-0.5, 0.5)
            }
        }
        return alphas;
    }

    public override Tensor WalkCoefficients(Tensor alphas, int imageSize) => alphas.to(ScalarType.Float32);
    public override IReadOnlyList<double> LinearTestGrid(int imageSize) => Linspace(-1, 1, 9);
    public override (double Low, double High) TrainingRange(int imageSize) => (-0.5, 0.5);

    public override double DefaultLearningRate => 0.05;
    public override string AlphaUnits => "additive image units such as [-0.5, 0, 0.5]";
    public override bool InInnerRange(double alpha, int imageSize) => Math.Abs(alpha) <= 0.25;

    /// <summary>
    /// Luminance as the authors measure it: sampled pixels, each the mean of its three channels, in [0, 1]; the limits
    /// study moves all three channels by α (<see cref="ImageTransform.EvaluationAlphas"/>).
    /// </summary>
    public override string AttributeName => LuminanceSampler.AttributeName;
    public override string AttributeDescription => LuminanceSampler.Description + "; all three channels moved by α";
    public override double Attribute(ImageAttributes attributes) => attributes.Intensity;
    public override IEnumerable<double> AttributeValues(ImageAttributes attributes) => attributes.LuminanceSamples;

    /// <summary>α is in units of the [-1, 1] range, the attribute in [0, 1]: half of α.</summary>
    public override double ExpectedAttribute(double unmoved, double alpha) => unmoved + alpha / 2;

    /// <summary>The headline evaluation (all channels by α, the paper's figure), then one channel at a time, the others at 0.</summary>
    public override IReadOnlyList<EvaluationMode> EvaluationModes =>
    [
        new(EvaluationMode.EqualName, "all three channels moved by α (the paper's figure)", EvaluationAlphas),
        .. ChannelNames.Select((name, channel) => new EvaluationMode(name, $"the {name} channel moved by α, the others left", (alpha, count) => ChannelAlphas(channel, alpha, count))),
    ];

    /// <summary>The channels in walk-vector order, as the per-channel evaluation names them.</summary>
    public static IReadOnlyList<string> ChannelNames { get; } = ["red", "green", "blue"];

    private static Tensor ChannelAlphas(int channel, double alpha, int count)
    {
        var alphas = torch.zeros(count, 3, dtype: ScalarType.Float32);
        alphas[.., channel] = alpha;
        return alphas;
    }
}
