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
/// A layer whose weight carries spectral normalisation as PyTorch stores it: `weight_orig`, the power-iteration
/// vectors `weight_u` and `weight_v`, and an optional `bias`. In eval the effective weight is weight_orig / σ with
/// σ = u·(W v) from the stored vectors; no power iteration runs, so σ is fixed once the weights are loaded.
/// </summary>
public abstract class SpectralNormLayer : PortLayoutModule
{
    // Not readonly: TorchSharp's Module.to(...) replaces registered tensors and assigns the new ones to the fields
    // whose [ComponentName] matches the registered name.
    [ComponentName(Name = "weight_orig")]
    private Parameter _originalWeight;

    [ComponentName(Name = "weight_u")]
    private Tensor _leftVector;

    [ComponentName(Name = "weight_v")]
    private Tensor _rightVector;

    [ComponentName(Name = "bias")]
    private Parameter? _bias;

    /// <summary>weight_orig / σ, derived (never saved); recomputed when missing or when the weights moved device or dtype.</summary>
    private Tensor? _effectiveWeight;

    /// <summary>Creates zero weights of <paramref name="weightShape"/> (first dimension = outputs) to be filled by a loader.</summary>
    protected SpectralNormLayer(string name, long[] weightShape, bool hasBias) : base(name)
    {
        var outputCount = weightShape[0];
        var fanIn = weightShape.Skip(1).Aggregate(1L, (product, size) => product * size);
        _originalWeight = new Parameter(torch.zeros(weightShape), requires_grad: false);   // [out, in, (k, k)]
        _leftVector = torch.zeros(outputCount);                                           // u [out]
        _rightVector = torch.zeros(fanIn);                                                // v [fan_in]
        register_parameter("weight_orig", _originalWeight);
        register_buffer("weight_u", _leftVector);
        register_buffer("weight_v", _rightVector);
        if (hasBias)
        {
            _bias = new Parameter(torch.zeros(outputCount), requires_grad: false);
            register_parameter("bias", _bias);
        }
    }

    /// <summary>weight_orig / σ on the weights' device and dtype.</summary>
    protected Tensor EffectiveWeight
    {
        get
        {
            if (_effectiveWeight is null || !Matches(_effectiveWeight, _originalWeight))
            {
                RefreshEffectiveWeight();
            }
            return _effectiveWeight!;
        }
    }

    /// <summary>The bias [out], or null when the layer has none.</summary>
    protected Tensor? Bias => _bias;

    /// <summary>Recomputes the effective weight from the stored weight_orig, weight_u and weight_v (call after loading).</summary>
    public void RefreshEffectiveWeight()
    {
        using var noGrad = torch.no_grad();
        Tensor refreshed;
        using (var scope = torch.NewDisposeScope())
        {
            var matrix = _originalWeight.reshape(_originalWeight.shape[0], -1);   // [out, fan_in]
            var sigma = _leftVector.dot(matrix.mv(_rightVector));               // [] scalar
            refreshed = (_originalWeight / sigma).MoveToOuterDisposeScope();
        }
        // Kept beyond any dispose scope the caller (e.g. a forward pass) may be in.
        _effectiveWeight?.Dispose();
        _effectiveWeight = refreshed.DetachFromDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _effectiveWeight?.Dispose();
            _effectiveWeight = null;
        }
        base.Dispose(disposing);
    }

    private static bool Matches(Tensor derived, Tensor source) =>
        derived.dtype == source.dtype && derived.device_type == source.device_type && derived.device_index == source.device_index;
}

/// <summary>A spectrally normalised fully connected layer: y = x Wᵀ + b with W = weight_orig / σ.</summary>
public sealed class SpectralNormLinear : SpectralNormLayer
{
    /// <summary>Creates the layer for inputs [N, <paramref name="inputSize"/>] → [N, <paramref name="outputSize"/>].</summary>
    public SpectralNormLinear(int inputSize, int outputSize, bool hasBias)
        : base(nameof(SpectralNormLinear), [outputSize, inputSize], hasBias)
    {
    }

    /// <summary>[N, in] → [N, out].</summary>
    public Tensor Forward(Tensor input) => nn.functional.linear(input, EffectiveWeight, Bias);
}

/// <summary>A spectrally normalised 2-D convolution with stride 1 and "same" padding for odd kernels.</summary>
public sealed class SpectralNormConv2d : SpectralNormLayer
{
    private readonly long _padding;

    /// <summary>Creates a <paramref name="kernelSize"/>×<paramref name="kernelSize"/> convolution [N, in, H, W] → [N, out, H, W].</summary>
    public SpectralNormConv2d(int inputChannels, int outputChannels, int kernelSize, bool hasBias)
        : base(nameof(SpectralNormConv2d), [outputChannels, inputChannels, kernelSize, kernelSize], hasBias)
    {
        _padding = kernelSize / 2;
    }

    /// <summary>[N, in, H, W] → [N, out, H, W].</summary>
    public Tensor Forward(Tensor input) =>
        nn.functional.conv2d(input, EffectiveWeight, Bias, padding: [_padding, _padding]);
}
