using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>
/// The phase form computes exactly what the generator computed before it: nearest ×2 upsampling, then a 3×3
/// convolution with padding 1. Checked in float64, where the only difference is the order of a few additions.
/// </summary>
public sealed class NearestDoublingConvTests
{
    [Theory]
    [InlineData(5, 3, 4, 4, true)]
    [InlineData(8, 6, 7, 5, false)]                                      // odd sizes: both edges of the zero padding
    [InlineData(16, 3, 16, 16, true)]                                    // the shapes generator's to_image
    public void EqualsUpsamplingThenConvolutionInOutputAndEveryGradient(int inputs, int outputs, int height, int width, bool bias)
    {
        torch.manual_seed(7);
        var input = torch.randn(2, inputs, height, width, dtype: ScalarType.Float64, requires_grad: true);
        var weight = torch.randn(outputs, inputs, 3, 3, dtype: ScalarType.Float64, requires_grad: true);
        var biasTensor = bias ? torch.randn(outputs, dtype: ScalarType.Float64, requires_grad: true) : null;
        var outputGradient = torch.randn(2, outputs, 2 * height, 2 * width, dtype: ScalarType.Float64);
        Tensor[] Leaves() => biasTensor is null ? [input, weight] : [input, weight, biasTensor];

        var direct = F.conv2d(F.interpolate(input, scale_factor: [2, 2], mode: InterpolationMode.Nearest), weight, biasTensor, padding: [1, 1]);
        var directGradients = torch.autograd.grad([direct], Leaves(), [outputGradient]);
        var phased = NearestDoublingConv.Apply(input, weight, biasTensor);
        var phasedGradients = torch.autograd.grad([phased], Leaves(), [outputGradient]);

        Assert.Equal(direct.shape, phased.shape);
        AssertClose("output", direct, phased);
        for (var i = 0; i < directGradients.Count; i++)
        {
            AssertClose($"gradient {i}", directGradients[i], phasedGradients[i]);
        }
    }

    [Fact]
    public void KeepsTheConvolutionsParameterNamesSoCheckpointsLoadUnchanged()
    {
        using var layer = new NearestDoublingConv(16, 3);
        using var withoutBias = new NearestDoublingConv(8, 4, bias: false);
        Assert.Equal(["weight", "bias"], layer.state_dict().Keys);
        Assert.Equal([3L, 16, 3, 3], layer.Weight.shape);
        Assert.Equal(["weight"], withoutBias.state_dict().Keys);
    }

    [Fact]
    public void DrawsTheSameInitialWeightsAsTheConvolutionItReplaces()
    {
        torch.manual_seed(11);
        using var convolution = nn.Conv2d(16, 3, 3, padding: 1);
        torch.manual_seed(11);
        using var layer = new NearestDoublingConv(16, 3);
        Assert.True(convolution.weight!.allclose(layer.Weight, rtol: 0, atol: 0));
        Assert.True(convolution.bias!.allclose(layer.Bias!, rtol: 0, atol: 0));
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        // Float64 sums of at most 9·in terms: reordering them moves the result by ~1e-15 relative.
        var relative = (expected - actual).norm().item<double>() / Math.Max(expected.norm().item<double>(), 1e-300);
        Assert.True(relative < 1e-12, $"{what}: relative difference {relative:E2}");
    }
}
