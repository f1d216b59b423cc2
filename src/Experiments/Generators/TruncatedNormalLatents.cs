using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Generators;

/// <summary>
/// BigGAN's latents (both the authors' BigGAN and BigGAN-deep): a standard normal truncated to [−bound, bound] by
/// redrawing every value outside it, as the ports' samplers do.
/// </summary>
public static class TruncatedNormalLatents
{
    /// <summary>Draws [count, size] on <paramref name="random"/>'s device; the caller scales and moves them.</summary>
    public static Tensor Sample(int count, int size, double bound, torch.Generator random)
    {
        using var scope = torch.NewDisposeScope();
        var latents = torch.randn([count, size], generator: random, device: random.device);      // [n, d]
        while (true)
        {
            var outside = latents.abs() > bound;                                                 // [n, d] bool
            if (!outside.any().item<bool>())
            {
                return latents.MoveToOuterDisposeScope();
            }
            var redraw = torch.randn([count, size], generator: random, device: random.device);
            latents = torch.where(outside, redraw, latents);
        }
    }
}
