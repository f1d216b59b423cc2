using Steerability.Experiments.Attributes;
using Steerability.Experiments.Transforms;
using TorchSharp;

namespace Steerability.Experiments.Tests.Attributes;

/// <summary>Luminance as the authors measure it: 100 random pixels per image, each its channels' mean, seeded, pooled over images.</summary>
public sealed class LuminanceSamplerTests
{
    private const int Side = 16;

    /// <summary>Two images in [-1, 1] whose pixel p has channel mean (p + 1)/(S² + 1) (image 0) or 1 − that (image 1), channels spread ±0.05 around it.</summary>
    private static (torch.Tensor Images, double[][] Means) Images()
    {
        var pixels = Side * Side;
        var values = new float[2 * 3 * pixels];
        var means = new double[2][];
        for (var i = 0; i < 2; i++)
        {
            means[i] = new double[pixels];
            for (var p = 0; p < pixels; p++)
            {
                var mean = (p + 1.0) / (pixels + 1);
                mean = i == 0 ? mean : 1 - mean;
                double[] channels = [mean + 0.05 * (1 - mean), mean, mean - 0.05 * (1 - mean)];
                means[i][p] = channels.Average();
                for (var c = 0; c < 3; c++)
                {
                    values[(i * 3 + c) * pixels + p] = (float)(channels[c] * 2 - 1);
                }
            }
        }
        return (torch.tensor(values, new long[] { 2, 3, Side, Side }), means);
    }

    [Fact]
    public void Each_image_gives_100_distinct_pixels_each_the_mean_of_its_channels()
    {
        var (images, means) = Images();

        var samples = new LuminanceSampler(seed: 5).Sample(images);

        Assert.Equal(2, samples.Length);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(LuminanceSampler.PixelsPerImage, samples[i].Length);
            // Every value is one pixel's channel mean (float rounding aside), no pixel twice.
            var positions = samples[i].Select(v => Array.FindIndex(means[i], m => Math.Abs(m - v) < 1e-6)).ToList();
            Assert.DoesNotContain(-1, positions);
            Assert.Equal(positions.Count, positions.Distinct().Count());
        }
        // A distribution of pixel values, not of image means: its spread is the pixels' (uniform on (0, 1): std ≈ 0.29).
        var pooled = samples.SelectMany(s => s).ToArray();
        var mean = pooled.Average();
        Assert.InRange(Math.Sqrt(pooled.Average(v => (v - mean) * (v - mean))), 0.2, 0.38);
    }

    [Fact]
    public void The_sampler_is_seeded()
    {
        var (images, _) = Images();

        var first = new LuminanceSampler(seed: 5).Sample(images);
        var again = new LuminanceSampler(seed: 5).Sample(images);
        var other = new LuminanceSampler(seed: 6).Sample(images);

        Assert.Equal(first.SelectMany(s => s), again.SelectMany(s => s));
        Assert.NotEqual(first.SelectMany(s => s), other.SelectMany(s => s));
    }

    [Fact]
    public void Colour_and_brightness_limits_pool_the_detectors_luminance_samples()
    {
        var (images, _) = Images();

        var attributes = new ForegroundMomentsDetector().Measure(images);

        foreach (var name in new[] { "color", "brightness" })
        {
            var edit = TransformCatalog.Create(name);
            Assert.Equal(LuminanceSampler.AttributeName, edit.AttributeName);
            var values = attributes.SelectMany(edit.AttributeValues).ToList();
            Assert.Equal(2 * LuminanceSampler.PixelsPerImage, values.Count);
            Assert.Equal(attributes[1].LuminanceSamples, values.Skip(LuminanceSampler.PixelsPerImage));
        }
        // Any other edit reads one value per image.
        Assert.Equal(2, attributes.SelectMany(TransformCatalog.Create("zoom").AttributeValues).Count());
    }
}
