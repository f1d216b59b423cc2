using static TorchSharp.torch;

namespace Steerability.Experiments.Attributes;

/// <summary>
/// Measures the attributes of images. The built-in detector uses image moments of the foreground of an object on a
/// plain background; a detector for natural images (e.g. an object detector's box and mask) can take its place.
/// </summary>
public interface IAttributeDetector
{
    /// <summary>Measures images [N, C, S, S] in [-1, 1].</summary>
    IReadOnlyList<ImageAttributes> Measure(Tensor images);
}
