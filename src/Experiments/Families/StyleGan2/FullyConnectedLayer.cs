using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// FullyConnectedLayer: stored weights are unscaled; the layer applies weight · lr_multiplier / √in and
/// bias · lr_multiplier at run time (the equalised learning rate), then leaky ReLU with gain √2 when asked.
/// </summary>
public sealed class FullyConnectedLayer : PortLayoutModule
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private readonly double _weightGain;
    private readonly double _biasGain;
    private readonly bool _leakyRelu;

    /// <summary>Creates the layer [N, <paramref name="inFeatures"/>] → [N, <paramref name="outFeatures"/>], weights to be loaded.</summary>
    public FullyConnectedLayer(int inFeatures, int outFeatures, bool leakyRelu, double learningRateMultiplier = 1)
        : base(nameof(FullyConnectedLayer))
    {
        _weight = new Parameter(torch.zeros(outFeatures, inFeatures), requires_grad: false);
        _bias = new Parameter(torch.zeros(outFeatures), requires_grad: false);
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
        _weightGain = learningRateMultiplier / Math.Sqrt(inFeatures);
        _biasGain = learningRateMultiplier;
        _leakyRelu = leakyRelu;
    }

    /// <summary>x [N, in] → [N, out].</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var weight = _weight * _weightGain;
        var bias = _biasGain != 1 ? _bias * _biasGain : _bias;
        // NVIDIA's linear layers use addmm, activated ones matmul then bias_act: the same rounding as theirs.
        var output = _leakyRelu
            ? StyleGan2Ops.BiasActivation(x.matmul(weight.t()), bias, leakyRelu: true, StyleGan2Ops.LeakyReluGain, clamp: null)
            : torch.addmm(bias.unsqueeze(0), x, weight.t(), beta: 1, alpha: 1);
        return output.MoveToOuterDisposeScope();
    }
}
