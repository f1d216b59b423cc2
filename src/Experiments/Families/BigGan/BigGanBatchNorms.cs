using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// BigGAN-PyTorch's conditional batch norm (ccbn): plain batch norm on the stored statistics, then
/// BN(x)·(1 + gain(c)) + bias(c), where gain and bias are spectrally normalised linear maps without bias of the
/// condition c = cat(shared(y), z chunk).
/// </summary>
public sealed class BigGanConditionalBatchNorm : PortLayoutModule
{
    // Not readonly: Module.to(...) assigns the moved buffers to the fields named like them.
    [ComponentName(Name = "stored_mean")]
    private Tensor _storedMean;

    [ComponentName(Name = "stored_var")]
    private Tensor _storedVariance;

    private readonly BigGanSpectralNormLinear _gain;
    private readonly BigGanSpectralNormLinear _bias;
    private readonly double _epsilon;

    /// <summary>Creates the norm for <paramref name="channels"/> channels conditioned on vectors of <paramref name="conditionSize"/>.</summary>
    public BigGanConditionalBatchNorm(int channels, int conditionSize, double epsilon, double spectralNormEpsilon)
        : base(nameof(BigGanConditionalBatchNorm))
    {
        _epsilon = epsilon;
        _storedMean = torch.zeros(channels);      // [C]
        _storedVariance = torch.ones(channels);   // [C]
        _gain = new BigGanSpectralNormLinear(conditionSize, channels, hasBias: false, spectralNormEpsilon);
        _bias = new BigGanSpectralNormLinear(conditionSize, channels, hasBias: false, spectralNormEpsilon);
        register_buffer("stored_mean", _storedMean);
        register_buffer("stored_var", _storedVariance);
        register_module("gain", _gain);
        register_module("bias", _bias);
    }

    /// <summary>input [N, C, H, W], condition [N, cond] → [N, C, H, W].</summary>
    public Tensor Forward(Tensor input, Tensor condition)
    {
        using var scope = torch.NewDisposeScope();
        var gain = (_gain.Forward(condition) + 1).view(condition.shape[0], -1, 1, 1);   // [N, C, 1, 1]
        var bias = _bias.Forward(condition).view(condition.shape[0], -1, 1, 1);         // [N, C, 1, 1]
        var normalised = nn.functional.batch_norm(input, _storedMean, _storedVariance, training: false, eps: _epsilon);
        return (normalised * gain + bias).MoveToOuterDisposeScope();
    }
}

/// <summary>The output layer's unconditional batch norm: stored statistics, a learned per-channel `gain` and `bias`.</summary>
public sealed class BigGanOutputBatchNorm : PortLayoutModule
{
    [ComponentName(Name = "gain")]
    private Parameter _gain;

    [ComponentName(Name = "bias")]
    private Parameter _bias;

    [ComponentName(Name = "stored_mean")]
    private Tensor _storedMean;

    [ComponentName(Name = "stored_var")]
    private Tensor _storedVariance;

    /// <summary>Creates the norm for <paramref name="channels"/> channels.</summary>
    public BigGanOutputBatchNorm(int channels) : base(nameof(BigGanOutputBatchNorm))
    {
        _gain = new Parameter(torch.ones(channels), requires_grad: false);
        _bias = new Parameter(torch.zeros(channels), requires_grad: false);
        _storedMean = torch.zeros(channels);
        _storedVariance = torch.ones(channels);
        register_parameter("gain", _gain);
        register_parameter("bias", _bias);
        register_buffer("stored_mean", _storedMean);
        register_buffer("stored_var", _storedVariance);
    }

    /// <summary>input [N, C, H, W] → [N, C, H, W].</summary>
    public Tensor Forward(Tensor input) =>
        nn.functional.batch_norm(input, _storedMean, _storedVariance, _gain, _bias, training: false, eps: BigGanConfig.OutputBatchNormEpsilon);
}
