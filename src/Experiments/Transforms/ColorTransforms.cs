using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Transforms;

/// <summary>Brightness: add α to all three channels, no clipping; every pixel is defined.</summary>
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
}

/// <summary>Color: add α_c to channel c, no clipping; three walk vectors, one per channel.</summary>
public sealed class ColorTransform : ImageTransform
{
    public override string Name => "color";
    public override int Dimensions => 3;
    public override double NonlinearStep(int imageSize) => 0.1;
    public override int NonlinearMaxSteps => 5;

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

    public override Tensor EvaluationAlphas(double alpha, int count)
    {
        var alphas = torch.zeros(count, 3, dtype: ScalarType.Float32);
        for (var i = 0; i < count; i++)
        {
            alphas[i, i % 3] = alpha;
        }
        return alphas;
    }
}
