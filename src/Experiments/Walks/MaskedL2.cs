using static TorchSharp.torch;

namespace Steerability.Experiments.Walks;

/// <summary>The paper's loss: per sample Σ mask·(x − target)² / Σ mask.</summary>
public sealed class MaskedL2 : IWalkLoss
{
    private MaskedL2()
    {
    }

    /// <summary>The loss as an <see cref="IWalkLoss"/>, for code that takes any walk loss.</summary>
    public static MaskedL2 Loss { get; } = new();

    /// <inheritdoc/>
    public string Name => "l2";

    /// <summary>Per-sample masked L2 [N] of images [N, C, S, S] against targets under masks of the same shape.</summary>
    public static Tensor PerSample(Tensor images, Tensor targets, Tensor mask)
    {
        var squared = (images - targets).square() * mask;
        return squared.sum([1, 2, 3]) / mask.sum([1, 2, 3]).clamp_min(1);
    }

    Tensor IWalkLoss.PerSample(Tensor images, Tensor targets, Tensor mask) => PerSample(images, targets, mask);
}
