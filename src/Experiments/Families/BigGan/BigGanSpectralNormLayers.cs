using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// A layer with spectral normalisation as BigGAN-PyTorch stores it: the raw `weight`, an optional `bias`, the power
/// iteration's left vector `u0` [1, out] and the last σ seen in training `sv0` [1]. Every forward of the original
/// takes one power step from u0 — v = normalize(u0 W), u = normalize(v Wᵀ), σ = v Wᵀ uᵀ with normalize(x) = x /
/// max(‖x‖, eps) — and divides the weight by σ. In eval u0 is never updated, so σ and the effective weight are
/// computed once (torch's built-in spectral_norm would take different steps).
/// </summary>
public abstract class BigGanSpectralNormLayer : PortLayoutModule
{
    // Not readonly: TorchSharp's Module.to(...) replaces registered tensors and assigns the new ones to the fields
    // whose [ComponentName] matches the registered name.
    [ComponentName(Name = "weight")]
    private Parameter _weight;

    [ComponentName(Name = "bias")]
    private Parameter? _bias;

    [ComponentName(Name = "u0")]
    private Tensor _leftVector;

    [ComponentName(Name = "sv0")]
    private Tensor _trainingSingularValue;

    private readonly double _epsilon;

    /// <summary>σ [] and weight / σ, derived (never saved); recomputed when missing or when the weights moved device or dtype.</summary>
    private (Tensor Sigma, Tensor Weight)? _normalised;

    /// <summary>Creates zero weights of <paramref name="weightShape"/> (first dimension = outputs) to be filled by a loader.</summary>
    protected BigGanSpectralNormLayer(string name, long[] weightShape, bool hasBias, double epsilon) : base(name)
    {
        _epsilon = epsilon;
        var outputCount = weightShape[0];
        _weight = new Parameter(torch.zeros(weightShape), requires_grad: false);   // [out, in, (k, k)]
        _leftVector = torch.zeros(1, outputCount);                                // u0 [1, out]
        _trainingSingularValue = torch.ones(1);                                   // sv0 [1]
        register_parameter("weight", _weight);
        if (hasBias)
        {
            _bias = new Parameter(torch.zeros(outputCount), requires_grad: false);
            register_parameter("bias", _bias);
        }
        register_buffer("u0", _leftVector);
        register_buffer("sv0", _trainingSingularValue);
    }

    /// <summary>The spectral norm estimate σ [] the forward pass divides the weight by.</summary>
    public Tensor Sigma => Normalised.Sigma;

    /// <summary>weight / σ on the weights' device and dtype.</summary>
    protected Tensor EffectiveWeight => Normalised.Weight;

    /// <summary>The bias [out], or null when the layer has none.</summary>
    protected Tensor? Bias => _bias;

    /// <summary>Recomputes σ and the effective weight from the stored weight and u0 (call after loading).</summary>
    public void RefreshEffectiveWeight()
    {
        using var noGrad = torch.no_grad();
        Tensor sigma;
        Tensor weight;
        using (var scope = torch.NewDisposeScope())
        {
            var matrix = _weight.reshape(_weight.shape[0], -1);                                         // W [out, fan_in]
            var right = nn.functional.normalize(_leftVector.matmul(matrix), dim: 1, eps: _epsilon);     // v [1, fan_in]
            var projected = right.matmul(matrix.t());                                                   // v Wᵀ [1, out]
            var left = nn.functional.normalize(projected, dim: 1, eps: _epsilon);                       // u [1, out]
            sigma = projected.matmul(left.t()).squeeze().MoveToOuterDisposeScope();                     // []
            weight = (_weight / sigma).MoveToOuterDisposeScope();
        }
        ReleaseNormalised();
        // Kept beyond any dispose scope the caller (e.g. a forward pass) may be in.
        _normalised = (sigma.DetachFromDisposeScope(), weight.DetachFromDisposeScope());
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseNormalised();
        }
        base.Dispose(disposing);
    }

    private (Tensor Sigma, Tensor Weight) Normalised
    {
        get
        {
            if (_normalised is not { } normalised
                || normalised.Weight.dtype != _weight.dtype
                || normalised.Weight.device_type != _weight.device_type
                || normalised.Weight.device_index != _weight.device_index)
            {
                RefreshEffectiveWeight();
            }
            return _normalised!.Value;
        }
    }

    private void ReleaseNormalised()
    {
        if (_normalised is { } normalised)
        {
            normalised.Sigma.Dispose();
            normalised.Weight.Dispose();
            _normalised = null;
        }
    }
}

/// <summary>A spectrally normalised fully connected layer: y = x Wᵀ + b with W = weight / σ.</summary>
public sealed class BigGanSpectralNormLinear : BigGanSpectralNormLayer
{
    /// <summary>Creates the layer for inputs [N, <paramref name="inputSize"/>] → [N, <paramref name="outputSize"/>].</summary>
    public BigGanSpectralNormLinear(int inputSize, int outputSize, bool hasBias, double epsilon)
        : base(nameof(BigGanSpectralNormLinear), [outputSize, inputSize], hasBias, epsilon)
    {
    }

    /// <summary>[N, in] → [N, out].</summary>
    public Tensor Forward(Tensor input) => nn.functional.linear(input, EffectiveWeight, Bias);
}

/// <summary>A spectrally normalised 2-D convolution with stride 1 and "same" padding (odd kernels).</summary>
public sealed class BigGanSpectralNormConv2d : BigGanSpectralNormLayer
{
    private readonly long _padding;

    /// <summary>Creates a <paramref name="kernelSize"/>×<paramref name="kernelSize"/> convolution [N, in, H, W] → [N, out, H, W].</summary>
    public BigGanSpectralNormConv2d(int inputChannels, int outputChannels, int kernelSize, bool hasBias, double epsilon)
        : base(nameof(BigGanSpectralNormConv2d), [outputChannels, inputChannels, kernelSize, kernelSize], hasBias, epsilon)
    {
        _padding = kernelSize / 2;
    }

    /// <summary>[N, in, H, W] → [N, out, H, W].</summary>
    public Tensor Forward(Tensor input) =>
        nn.functional.conv2d(input, EffectiveWeight, Bias, padding: [_padding, _padding]);
}
