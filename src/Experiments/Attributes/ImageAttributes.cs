namespace Steerability.Experiments.Attributes;

/// <summary>
/// What an attribute detector measures on one image (pixel units at the image's own size; intensities in [0, 1]).
/// </summary>
/// <param name="Area">Foreground area in pixels.</param>
/// <param name="CentreX">Foreground centroid's offset from the image centre, pixels, right positive.</param>
/// <param name="CentreY">Likewise, down positive.</param>
/// <param name="Orientation">Foreground's principal axis in degrees, counter-clockwise as displayed, in (−90, 90].</param>
/// <param name="Intensity">Mean over all pixels and channels.</param>
/// <param name="Red">Mean of the red channel.</param>
/// <param name="Green">Mean of the green channel.</param>
/// <param name="Blue">Mean of the blue channel.</param>
/// <remarks>Which of these an edit moves, and how, is the edit's own (<see cref="Transforms.ImageTransform.Attribute"/>).</remarks>
public sealed record ImageAttributes(double Area, double CentreX, double CentreY, double Orientation, double Intensity, double Red, double Green, double Blue)
{
    /// <summary>Luminance of pixels sampled from the image (<see cref="LuminanceSampler"/>), in [0, 1]; empty when the detector samples none.</summary>
    public IReadOnlyList<double> LuminanceSamples { get; init; } = [];
}
