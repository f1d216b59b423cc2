using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Attributes;

/// <summary>
/// Luminance as the authors measure it for colour and brightness (PAPER.md, "Attributes on natural images"): a fixed
/// number of pixels drawn at random from each image, each pixel the mean of its channels, in [0, 1]. Pooled over
/// images they give a distribution of pixel values, not of image means, so an object's pixels and the background's
/// both count.
/// </summary>
/// <param name="seed">Seeds the pixel positions; one sampler draws a fresh set per image, in call order.</param>
public sealed class LuminanceSampler(int seed = LuminanceSampler.DefaultSeed)
{
    /// <summary>The attribute column's name for luminance.</summary>
    public const string AttributeName = "luminance";

    /// <summary>Pixels sampled per image (the authors': 100).</summary>
    public const int PixelsPerImage = 100;

    /// <summary>The seed the limits study's detector samples with.</summary>
    public const int DefaultSeed = 1_000_033;

    /// <summary>What the attribute is, in words.</summary>
    public const string Description = "luminance: 100 random pixels per image, each the mean of its channels, pooled over images";

    private readonly Random random = new(seed);

    /// <summary>
    /// Per image of [N, C, S, S] in [-1, 1], <see cref="PixelsPerImage"/> pixel values in [0, 1] (fewer when the image has
    /// fewer pixels), at positions drawn uniformly without replacement.
    /// </summary>
    public double[][] Sample(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var n = (int)images.shape[0];
        var pixels = (int)(images.shape[2] * images.shape[3]);
        var channelMean = ((images.detach().to(ScalarType.Float64).cpu() + 1) / 2).mean([1]).reshape(n, pixels).data<double>().ToArray();
        var take = Math.Min(PixelsPerImage, pixels);
        var positions = Enumerable.Range(0, pixels).ToArray();
        var result = new double[n][];
        for (var i = 0; i < n; i++)
        {
            // A partial Fisher–Yates shuffle: the first `take` positions are a uniform draw without replacement.
            for (var k = 0; k < take; k++)
            {
                var j = random.Next(k, pixels);
                (positions[k], positions[j]) = (positions[j], positions[k]);
            }
            result[i] = positions.Take(take).Select(p => channelMean[i * pixels + p]).ToArray();
        }
        return result;
    }
}
