using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Generators;

/// <summary>A frozen image generator that walks steer: G(z, class) → images in [-1, 1], differentiable in z.</summary>
public interface IImageGenerator : IDisposable
{
    /// <summary>Short name used in results (e.g. "shapes", "mnist", "biggan-deep-128").</summary>
    string Name { get; }

    /// <summary>Dimension d of the latent z.</summary>
    int LatentSize { get; }

    /// <summary>Number of classes; 0 for an unconditional generator.</summary>
    int ClassCount { get; }

    /// <summary>Side S of the square output image in pixels.</summary>
    int ImageSize { get; }

    /// <summary>Output channels (3 for RGB).</summary>
    int Channels { get; }

    /// <summary>The device the generator's weights live on.</summary>
    Device Device { get; }

    /// <summary>Draws n latents [n, d] as the generator expects them (normal, or truncated normal for BigGAN).</summary>
    Tensor SampleLatents(int count, torch.Generator random);

    /// <summary>Generates images [N, C, S, S] in [-1, 1] from z [N, d] and class indices [N] (int64; ignored when unconditional).</summary>
    Tensor Generate(Tensor latents, Tensor classIndices);
}
