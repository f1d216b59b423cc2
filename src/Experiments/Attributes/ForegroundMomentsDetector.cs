using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Attributes;

/// <summary>
/// Attributes from the foreground of an object on a plain background: the background colour is the median of the
/// image's one-pixel frame; a pixel's foreground weight rises from 0 to 1 as its colour distance from the background
/// goes from <see cref="LowDistance"/> to <see cref="HighDistance"/> ([0, 1] units); area, centroid and orientation
/// are the weights' zeroth, first and second moments.
/// </summary>
public sealed class ForegroundMomentsDetector : IAttributeDetector
{
    public double LowDistance { get; init; } = 0.08;
    public double HighDistance { get; init; } = 0.2;

    /// <summary>Draws each image's luminance samples; null: none are drawn.</summary>
    public LuminanceSampler? Luminance { get; init; } = new();

    public IReadOnlyList<ImageAttributes> Measure(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var unit = ((images.detach().to(ScalarType.Float64).cpu() + 1) / 2);            // [N, C, S, S] in [0, 1]
        var n = unit.shape[0];
        var channels = unit.shape[1];
        var size = unit.shape[3];
        var frame = torch.cat([unit[.., .., 0, ..], unit[.., .., -1, ..], unit[.., .., 1..^1, 0], unit[.., .., 1..^1, -1]], dim: 2);   // [N, C, 4S−4]
        var background = frame.sort(2).Values[.., .., frame.shape[2] / 2].view(n, channels, 1, 1);   // median colour of the frame
        var distance = (unit - background).square().sum(1).sqrt();                      // [N, S, S]
        var weight = ((distance - LowDistance) / (HighDistance - LowDistance)).clamp(0, 1);
        var coordinates = torch.arange(size, dtype: ScalarType.Float64) + 0.5;          // pixel centres
        var xs = coordinates.view(1, 1, -1);
        var ys = coordinates.view(1, -1, 1);
        var area = weight.sum([1, 2]);                                                   // [N]
        var safeArea = area.clamp_min(1e-9);
        var meanX = (weight * xs).sum([1, 2]) / safeArea;
        var meanY = (weight * ys).sum([1, 2]) / safeArea;
        var dx = xs - meanX.view(-1, 1, 1);
        var dy = ys - meanY.view(-1, 1, 1);
        var mu20 = (weight * dx * dx).sum([1, 2]);
        var mu02 = (weight * dy * dy).sum([1, 2]);
        var mu11 = (weight * dx * dy).sum([1, 2]);
        // The principal axis in image coordinates (y down) is ½·atan2(2μ11, μ20 − μ02); negate for counter-clockwise as displayed.
        var orientation = -0.5 * torch.atan2(2 * mu11, mu20 - mu02) * (180 / Math.PI);
        var luminance = Luminance?.Sample(images);
        var channelMeans = unit.mean([2, 3]);                                            // [N, C]
        var a = area.data<double>().ToArray();
        var cx = meanX.data<double>().ToArray();
        var cy = meanY.data<double>().ToArray();
        var o = orientation.data<double>().ToArray();
        var means = channelMeans.data<double>().ToArray();
        var result = new ImageAttributes[n];
        for (var i = 0; i < n; i++)
        {
            var empty = a[i] < 1e-6;
            var r = means[i * channels];
            var g = channels > 1 ? means[i * channels + 1] : r;
            var b = channels > 2 ? means[i * channels + 2] : r;
            result[i] = new ImageAttributes(
                Area: a[i],
                CentreX: empty ? 0 : cx[i] - size / 2.0,
                CentreY: empty ? 0 : cy[i] - size / 2.0,
                Orientation: empty ? 0 : (o[i] <= -90 ? o[i] + 180 : o[i]),
                Intensity: (r + g + b) / 3,
                Red: r, Green: g, Blue: b)
            {
                LuminanceSamples = luminance?[i] ?? [],
            };
        }
        return result;
    }
}
