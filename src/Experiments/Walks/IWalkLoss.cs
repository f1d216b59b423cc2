using static TorchSharp.torch;

namespace Steerability.Experiments.Walks;

/// <summary>
/// What a walk minimises: how far the steered images are from the edited targets, counted under the edit's mask,
/// per sample. <see cref="MaskedL2"/> is the paper's; Perceptual.MaskedLpips the authors' alternative.
/// </summary>
public interface IWalkLoss
{
    /// <summary>A short name for results and logs (e.g. "l2", "lpips-alex").</summary>
    string Name { get; }

    /// <summary>Per-sample loss [N] of images [N, C, S, S] against targets under masks of the same shape (1 = counted).</summary>
    Tensor PerSample(Tensor images, Tensor targets, Tensor mask);
}
