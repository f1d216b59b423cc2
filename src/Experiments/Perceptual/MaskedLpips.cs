using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Perceptual;

/// <summary>How the masked images in [−1, 1] are handed to LPIPS.</summary>
public enum LpipsInputMapping
{
    /// <summary>
    /// As the authors' code did: LPIPS of 2·(mask·x) − 1. Their LPIPS (alexlee-gk/lpips-tensorflow, lpips_tf.py) takes
    /// images in [0, 1] and maps them to [−1, 1] by 2x − 1, but was given the generators' [−1, 1] images, so the net
    /// saw values in [−3, 1] and masked-out pixels at −1 (black).
    /// </summary>
    AsAuthors,

    /// <summary>LPIPS of mask·x as it is: the [−1, 1] range LPIPS expects; masked-out pixels are 0 (mid grey).</summary>
    MinusOneToOne,
}

/// <summary>
/// The authors' LPIPS walk loss: both the steered image and the target are multiplied by the edit's mask, then
/// compared by LPIPS (spatial off), one distance per sample.
/// </summary>
/// <remarks>
/// Read in github ali-design/gan_steerability (commit d79d398), graphs/biggan/transform_base.py,
/// graphs/stylegan/transform_base.py and graphs/pgan/transform_base.py alike:
/// <c>loss_lpips_sample = lpips_tf.lpips(mask*transformed_output, mask*target, model='net-lin', net='alex')</c>, and
/// for training <c>loss_lpips = tf.reduce_mean(...)</c> of the same: the mask zeroes both images outside the edit's
/// valid region before the distance; no division by the mask's area (unlike the L2 loss). <c>lpips_tf</c> is
/// alexlee-gk/lpips-tensorflow (cloned by resources/download_resources.sh), a frozen export of the PyTorch LPIPS
/// v0.1 AlexNet that expects [0, 1] images: see <see cref="LpipsInputMapping.AsAuthors"/>, the default here.
/// The caller averages <see cref="PerSample"/> over the batch, as with <see cref="MaskedL2"/>.
/// </remarks>
public sealed class MaskedLpips : IWalkLoss
{
    private readonly Lpips _lpips;

    /// <summary>The loss over <paramref name="lpips"/> (not owned: the caller disposes it).</summary>
    public MaskedLpips(Lpips lpips, LpipsInputMapping mapping = LpipsInputMapping.AsAuthors)
    {
        _lpips = lpips;
        Mapping = mapping;
    }

    /// <summary>How masked images reach the distance.</summary>
    public LpipsInputMapping Mapping { get; }

    /// <inheritdoc/>
    public string Name => $"lpips-{_lpips.NetName}";

    /// <summary>Per-sample LPIPS [N] of mask·images against mask·targets ([N, 3, S, S] in [−1, 1]; the mask [N, 3 or 1, S, S]).</summary>
    public Tensor PerSample(Tensor images, Tensor targets, Tensor mask)
    {
        using var scope = torch.NewDisposeScope();
        var masked = images * mask;
        var maskedTargets = targets * mask;
        if (Mapping == LpipsInputMapping.AsAuthors)
        {
            masked = 2 * masked - 1;
            maskedTargets = 2 * maskedTargets - 1;
        }
        return _lpips.Distance(masked, maskedTargets).MoveToOuterDisposeScope();
    }
}
