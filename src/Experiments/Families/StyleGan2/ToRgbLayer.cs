using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>ToRGBLayer: a modulated 1×1 convolution without demodulation, styles scaled by 1/√in, then bias and the conv_clamp.</summary>
public sealed class ToRgbLayer : PortLayoutModule
{
    private readonly FullyConnectedLayer _affine;
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly double _styleGain;
    private readonly double? _convClamp;

    /// <summary>Creates the layer [N, in, r, r] → [N, img_channels, r, r], weights to be loaded.</summary>
    public ToRgbLayer(int inChannels, int imageChannels, int styleSize, double? convClamp) : base(nameof(ToRgbLayer))
    {
        _affine = new FullyConnectedLayer(styleSize, inChannels, leakyRelu: false);
        register_module("affine", _affine);
        _weight = new Parameter(torch.zeros(imageChannels, inChannels, 1, 1), requires_grad: false);
        register_parameter("weight", _weight);
        _bias = new Parameter(torch.zeros(imageChannels), requires_grad: false);
        register_parameter("bias", _bias);
        _styleGain = 1 / Math.Sqrt(inChannels);
        _convClamp = convClamp;
    }

    /// <summary>x [N, in, r, r], w [N, w_dim] → [N, img_channels, r, r].</summary>
    public Tensor Forward(Tensor x, Tensor w, bool fusedModulation = true)
    {
        using var scope = torch.NewDisposeScope();
        var styles = _affine.Forward(w) * _styleGain;
        x = StyleGan2Ops.ModulatedConv2d(x, _weight, styles, noise: null, up: 1, padding: 0, filter: null, demodulate: false, fusedModulation);
        return StyleGan2Ops.BiasActivation(x, _bias, leakyRelu: false, gain: 1, _convClamp).MoveToOuterDisposeScope();
    }
}
