using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// SynthesisLayer: a modulated, demodulated 3×3 convolution (styles from an affine map of w, bias init 1), 2×
/// up-sampling when <c>up</c> is 2, then const noise (noise_const · noise_strength), bias, leaky ReLU with gain √2 and
/// the conv_clamp — noise before bias and activation, as NVIDIA's layer does.
/// </summary>
public sealed class SynthesisLayer : PortLayoutModule
{
    private const int KernelSize = 3;
    private readonly FullyConnectedLayer _affine;
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly Tensor _filter;
    private readonly Tensor? _noiseConst;
    private readonly Parameter? _noiseStrength;
    private readonly int _up;
    private readonly double? _convClamp;

    /// <summary>Creates the layer [N, in, r/up, r/up] → [N, out, r, r], weights to be loaded.</summary>
    public SynthesisLayer(int inChannels, int outChannels, int styleSize, int resolution, int up, bool useNoise, double? convClamp)
        : base(nameof(SynthesisLayer))
    {
        _affine = new FullyConnectedLayer(styleSize, inChannels, leakyRelu: false);
        register_module("affine", _affine);
        _weight = new Parameter(torch.zeros(outChannels, inChannels, KernelSize, KernelSize), requires_grad: false);
        register_parameter("weight", _weight);
        if (useNoise)
        {
            _noiseStrength = new Parameter(torch.zeros(Array.Empty<long>()), requires_grad: false);
            register_parameter("noise_strength", _noiseStrength);
            _noiseConst = torch.zeros(resolution, resolution);
            register_buffer("noise_const", _noiseConst);
        }
        _bias = new Parameter(torch.zeros(outChannels), requires_grad: false);
        register_parameter("bias", _bias);
        _filter = torch.zeros(4, 4);
        register_buffer("resample_filter", _filter);
        _up = up;
        _convClamp = convClamp;
    }

    /// <summary>x [N, in, r/up, r/up], w [N, w_dim] → [N, out, r, r] (see <see cref="StyleGan2Ops.ModulatedConv2d"/> for fused or not).</summary>
    public Tensor Forward(Tensor x, Tensor w, NoiseMode noiseMode, bool fusedModulation = true)
    {
        using var scope = torch.NewDisposeScope();
        var styles = _affine.Forward(w);                                                  // [N, in]
        var noise = noiseMode == NoiseMode.Const && _noiseConst is not null ? _noiseConst * _noiseStrength! : null;   // [r, r]
        x = StyleGan2Ops.ModulatedConv2d(x, _weight, styles, noise, _up, padding: KernelSize / 2, _filter, demodulate: true, fusedModulation);
        return StyleGan2Ops.BiasActivation(x, _bias, leakyRelu: true, StyleGan2Ops.LeakyReluGain, _convClamp).MoveToOuterDisposeScope();
    }
}
