using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGanDeep;

/// <summary>
/// SAGAN self-attention as placed in BigGAN-deep: queries at every position attend to keys and values max-pooled
/// 2×2, and the result is added back scaled by a learned gamma.
/// </summary>
public sealed class SelfAttention : PortLayoutModule
{
    private readonly int _channels;
    private readonly SpectralNormConv2d _query;
    private readonly SpectralNormConv2d _key;
    private readonly SpectralNormConv2d _value;
    private readonly SpectralNormConv2d _output;
    [ComponentName(Name = "gamma")]
    private Parameter _gamma;   // not readonly: Module.to(...) assigns the moved parameter here

    /// <summary>Creates attention over feature maps with <paramref name="channels"/> channels (a multiple of 8).</summary>
    public SelfAttention(int channels) : base(nameof(SelfAttention))
    {
        _channels = channels;
        // Names follow the port's state dict: theta = query, phi = key, g = value, o_conv = output projection.
        _query = new SpectralNormConv2d(channels, channels / 8, kernelSize: 1, hasBias: false);
        _key = new SpectralNormConv2d(channels, channels / 8, kernelSize: 1, hasBias: false);
        _value = new SpectralNormConv2d(channels, channels / 2, kernelSize: 1, hasBias: false);
        _output = new SpectralNormConv2d(channels / 2, channels, kernelSize: 1, hasBias: false);
        _gamma = new Parameter(torch.zeros(1), requires_grad: false);
        register_module("snconv1x1_theta", _query);
        register_module("snconv1x1_phi", _key);
        register_module("snconv1x1_g", _value);
        register_module("snconv1x1_o_conv", _output);
        register_parameter("gamma", _gamma);
    }

    /// <summary>input [N, C, H, W] → [N, C, H, W].</summary>
    public Tensor Forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var (height, width) = (input.shape[2], input.shape[3]);
        var positions = height * width;
        var query = _query.Forward(input).view(-1, _channels / 8, positions);                                   // [N, C/8, HW]
        var key = nn.functional.max_pool2d(_key.Forward(input), 2, 2).view(-1, _channels / 8, positions / 4);   // [N, C/8, HW/4]
        var attention = nn.functional.softmax(torch.bmm(query.permute(0, 2, 1), key), -1);                     // [N, HW, HW/4]
        var value = nn.functional.max_pool2d(_value.Forward(input), 2, 2).view(-1, _channels / 2, positions / 4); // [N, C/2, HW/4]
        var attended = torch.bmm(value, attention.permute(0, 2, 1)).view(-1, _channels / 2, height, width);     // [N, C/2, H, W]
        return (input + _gamma * _output.Forward(attended)).MoveToOuterDisposeScope();
    }
}
