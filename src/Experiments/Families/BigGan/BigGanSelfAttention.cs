using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// BigGAN-PyTorch's self-attention (SAGAN as released): θ and φ project to C/8 channels, g to C/2; φ and g are
/// max-pooled 2×2; β = softmax(θᵀφ) over the pooled positions; out = γ·o(g βᵀ) + x.
/// </summary>
public sealed class BigGanSelfAttention : PortLayoutModule
{
    private readonly int _channels;
    private readonly BigGanSpectralNormConv2d _theta;
    private readonly BigGanSpectralNormConv2d _phi;
    private readonly BigGanSpectralNormConv2d _g;
    private readonly BigGanSpectralNormConv2d _output;

    [ComponentName(Name = "gamma")]
    private Parameter _gamma;   // [] scalar; not readonly: Module.to(...) assigns the moved parameter here

    /// <summary>Creates attention over feature maps with <paramref name="channels"/> channels (a multiple of 8).</summary>
    public BigGanSelfAttention(int channels, double spectralNormEpsilon) : base(nameof(BigGanSelfAttention))
    {
        _channels = channels;
        _theta = new BigGanSpectralNormConv2d(channels, channels / 8, kernelSize: 1, hasBias: false, spectralNormEpsilon);
        _phi = new BigGanSpectralNormConv2d(channels, channels / 8, kernelSize: 1, hasBias: false, spectralNormEpsilon);
        _g = new BigGanSpectralNormConv2d(channels, channels / 2, kernelSize: 1, hasBias: false, spectralNormEpsilon);
        _output = new BigGanSpectralNormConv2d(channels / 2, channels, kernelSize: 1, hasBias: false, spectralNormEpsilon);
        _gamma = new Parameter(torch.zeros([]), requires_grad: false);
        register_parameter("gamma", _gamma);
        register_module("theta", _theta);
        register_module("phi", _phi);
        register_module("g", _g);
        register_module("o", _output);
    }

    /// <summary>input [N, C, H, W] → [N, C, H, W].</summary>
    public Tensor Forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var (height, width) = (input.shape[2], input.shape[3]);
        var positions = height * width;
        var theta = _theta.Forward(input).view(-1, _channels / 8, positions);                                   // [N, C/8, HW]
        var phi = nn.functional.max_pool2d(_phi.Forward(input), 2, 2).view(-1, _channels / 8, positions / 4);  // [N, C/8, HW/4]
        var g = nn.functional.max_pool2d(_g.Forward(input), 2, 2).view(-1, _channels / 2, positions / 4);      // [N, C/2, HW/4]
        var beta = nn.functional.softmax(torch.bmm(theta.transpose(1, 2), phi), -1);                          // [N, HW, HW/4]
        var attended = torch.bmm(g, beta.transpose(1, 2)).view(-1, _channels / 2, height, width);             // [N, C/2, H, W]
        return (_gamma * _output.Forward(attended) + input).MoveToOuterDisposeScope();
    }
}
