using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Perceptual;

/// <summary>
/// LPIPS v0.1 (Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features as a Perceptual Metric"), the
/// learned perceptual distance, as the reference code computes it (github richzhang/PerceptualSimilarity, commit
/// 082bb24, lpips/lpips.py): both images scaled, passed through a frozen ImageNet trunk, each tapped layer unit-
/// normalised over channels, the squared difference weighted per channel by a learned 1×1 head, averaged over space
/// (or upsampled to the input size) and summed over layers. Weights are frozen; gradients flow to the inputs only.
/// </summary>
public sealed class Lpips : nn.Module
{
    /// <summary>ScalingLayer.shift: inputs in [−1, 1] are mapped as (x − shift) / scale, close to ImageNet's normalisation.</summary>
    public static readonly IReadOnlyList<float> Shift = [-0.030f, -0.088f, -0.188f];

    /// <summary>ScalingLayer.scale.</summary>
    public static readonly IReadOnlyList<float> Scale = [0.458f, 0.448f, 0.450f];

    /// <summary>normalize_tensor's eps, added to the channel norm before dividing.</summary>
    public const double NormEpsilon = 1e-10;

    /// <summary>
    /// Below this Σ_c x², the channel norm is taken as √(this) for the gradient's sake (see <see cref="NormaliseChannels"/>).
    /// </summary>
    public const double SquaredNormFloor = 1e-30;

    private readonly TorchvisionFeatures _trunk;
    private readonly FrozenConv2d[] _heads;

    /// <summary>Creates the distance for <paramref name="net"/> with zero weights; <see cref="LpipsLoader"/> fills them.</summary>
    public Lpips(LpipsNet net) : base($"Lpips{net}")
    {
        _trunk = new TorchvisionFeatures(net);
        register_module("net", _trunk);
        _heads = _trunk.TapChannels.Select(channels => new FrozenConv2d(1, channels, 1, hasBias: false)).ToArray();
        for (var layer = 0; layer < _heads.Length; layer++)
        {
            register_module($"lin{layer}", _heads[layer]);
        }
        eval();
    }

    /// <summary>The trunk: AlexNet or VGG-16.</summary>
    public LpipsNet Net => _trunk.Net;

    /// <summary>lpips' name of the trunk: "alex" or "vgg" (as in its weights/v0.1/alex.pth and vgg.pth).</summary>
    public string NetName => Net == LpipsNet.Alex ? "alex" : "vgg";

    /// <summary>The frozen classifier trunk, whose tapped outputs LPIPS compares.</summary>
    public TorchvisionFeatures Trunk => _trunk;

    /// <summary>The number of compared layers (5 for both nets).</summary>
    public int LayerCount => _heads.Length;

    /// <summary>The head of layer <paramref name="layer"/>, stored in lpips files as <c>lin{layer}.model.1.weight</c> [1, C, 1, 1].</summary>
    internal Tensor HeadWeight(int layer) => _heads[layer].Weight;

    /// <summary>
    /// The distance between <paramref name="images0"/> and <paramref name="images1"/> [N, 3, H, W], both in [−1, 1]:
    /// [N] (spatial off). Differentiable with respect to both images.
    /// </summary>
    public Tensor Distance(Tensor images0, Tensor images1)
    {
        using var scope = torch.NewDisposeScope();
        var result = Evaluate(images0, images1, spatial: false);
        return result.Total.flatten().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The distance and its per-layer terms, shaped as the reference returns them: spatial off [N, 1, 1, 1] (each layer's
    /// weighted squared difference averaged over its positions), spatial on [N, 1, H, W] (each layer's map bilinearly
    /// upsampled, align_corners false, to the input size). <see cref="LpipsResult.Total"/> is the sum of the layers.
    /// </summary>
    public LpipsResult Evaluate(Tensor images0, Tensor images1, bool spatial = false)
    {
        CheckInputs(images0, images1);
        using var scope = torch.NewDisposeScope();
        // Two trunk passes, as the reference: an identical pair then meets identical arithmetic and gives exactly 0.
        var features0 = _trunk.forward(ScaleInput(images0));
        var features1 = _trunk.forward(ScaleInput(images1));
        var size = new long[] { images0.shape[2], images0.shape[3] };
        var layers = new Tensor[_heads.Length];
        for (var layer = 0; layer < _heads.Length; layer++)
        {
            var difference = (NormaliseChannels(features0[layer]) - NormaliseChannels(features1[layer])).square();   // [N, C, h, w]
            var weighted = _heads[layer].Apply(difference, stride: 1, padding: 0);                                    // [N, 1, h, w]
            layers[layer] = spatial
                ? nn.functional.interpolate(weighted, size: size, mode: InterpolationMode.Bilinear, align_corners: false)
                : weighted.mean([2, 3], keepdim: true);
        }
        var total = layers[0];
        for (var layer = 1; layer < layers.Length; layer++)
        {
            total = total + layers[layer];
        }
        return new LpipsResult(total.MoveToOuterDisposeScope(), layers.Select(term => term.MoveToOuterDisposeScope()).ToArray());
    }

    /// <summary>The tapped trunk outputs of <paramref name="images"/> in [−1, 1] (after scaling, before normalisation), for debugging.</summary>
    public Tensor[] Features(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        return _trunk.forward(ScaleInput(images)).Select(feature => feature.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>(x − shift) / scale per channel, as ScalingLayer.</summary>
    public static Tensor ScaleInput(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var shift = torch.tensor(Shift.ToArray(), dtype: images.dtype, device: images.device).view(1, 3, 1, 1);
        var scale = torch.tensor(Scale.ToArray(), dtype: images.dtype, device: images.device).view(1, 3, 1, 1);
        return ((images - shift) / scale).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// x / (√(Σ_c x²) + 1e-10) over dim 1, as normalize_tensor. One departure, which leaves every value the reference
    /// computes unchanged: Σ_c x² is floored at 1e-30 before the square root. The reference takes √0 where a position
    /// has all channels zero (a dead ReLU column) and its backward then gives 0/0 = NaN for the input gradient
    /// (PerceptualSimilarity issues #69 and #121); with the floor that gradient is 0. Values change only where
    /// Σ_c x² &lt; 1e-30, where the reference's normalised feature is already below 1e-5.
    /// </summary>
    public static Tensor NormaliseChannels(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        var norm = features.square().sum(1, keepdim: true).clamp_min(SquaredNormFloor).sqrt();   // [N, 1, h, w]
        return (features / (norm + NormEpsilon)).MoveToOuterDisposeScope();
    }

    private void CheckInputs(Tensor images0, Tensor images1)
    {
        if (images0.dim() != 4 || images0.shape[1] != 3)
        {
            throw new ArgumentException($"LPIPS compares RGB images [N, 3, H, W]; got [{string.Join(", ", images0.shape)}]", nameof(images0));
        }
        if (!images0.shape.SequenceEqual(images1.shape))
        {
            throw new ArgumentException(
                $"LPIPS compares images of one shape; got [{string.Join(", ", images0.shape)}] and [{string.Join(", ", images1.shape)}]", nameof(images1));
        }
        var minimum = _trunk.MinimumInputSize;
        if (images0.shape[2] < minimum || images0.shape[3] < minimum)
        {
            throw new ArgumentException(
                $"LPIPS {Net} needs images of at least {minimum}×{minimum} pixels; got {images0.shape[2]}×{images0.shape[3]}", nameof(images0));
        }
    }

    /// <summary>Intentionally empty: the trunk and heads are registered by hand (as net and lin0..lin4), not under field names.</summary>
    protected override void RegisterComponents()
    {
    }
}

/// <summary>An LPIPS distance with its per-layer terms (the reference's <c>retPerLayer</c>).</summary>
/// <param name="Total">Σ of <paramref name="PerLayer"/>: [N, 1, 1, 1], or [N, 1, H, W] with spatial on.</param>
/// <param name="PerLayer">One term per tapped layer, shaped as <paramref name="Total"/>.</param>
public sealed record LpipsResult(Tensor Total, IReadOnlyList<Tensor> PerLayer);
