using Steerability.Experiments.Families.Shapes;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Attributes;

public sealed class AttributeTests
{
    private static Tensor Render(ShapeKind kind, ShapeAttributes attributes)
    {
        var pixels = new float[3 * 32 * 32];
        ShapesDataset.Render(kind, attributes, 32, pixels);
        return torch.tensor(pixels, new long[] { 1, 3, 32, 32 });
    }

    private static readonly ShapeAttributes Plain = new(0.5, 0, 0, 0, 0, 0, 0, 0, 0);

    [Fact]
    public void MomentsFindTheCentreOfASymmetricShape()
    {
        var measured = new ForegroundMomentsDetector().Measure(Render(ShapeKind.Square, Plain with { CentreX = 5, CentreY = -3 }))[0];
        Assert.InRange(measured.CentreX, 4.8, 5.2);
        Assert.InRange(measured.CentreY, -3.2, -2.8);
    }

    [Fact]
    public void AreaGrowsWithTheSquareOfScale()
    {
        var detector = new ForegroundMomentsDetector();
        var small = detector.Measure(Render(ShapeKind.Circle, Plain with { Scale = 0.3 }))[0].Area;
        var large = detector.Measure(Render(ShapeKind.Circle, Plain with { Scale = 0.6 }))[0].Area;
        Assert.InRange(large / small, 3.6, 4.4);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(-50)]
    public void OrientationOfAnEllipseIsItsRotation(double degrees)
    {
        var measured = new ForegroundMomentsDetector().Measure(Render(ShapeKind.Ellipse, Plain with { Rotation = degrees, Scale = 0.7 }))[0];
        Assert.InRange(measured.Orientation, degrees - 3, degrees + 3);
    }

    [Fact]
    public void IntensityFollowsBrightness()
    {
        var detector = new ForegroundMomentsDetector();
        var dark = detector.Measure(Render(ShapeKind.Square, Plain))[0];
        var bright = detector.Measure(Render(ShapeKind.Square, Plain with { Brightness = 0.1 }))[0];
        Assert.InRange(bright.Intensity - dark.Intensity, 0.09, 0.11);
        Assert.InRange(bright.Red - dark.Red, 0.09, 0.11);
    }

    [Fact]
    public void AClassWithZeroVariabilityHasStdZero()
    {
        var images = torch.cat(Enumerable.Repeat(Render(ShapeKind.Star, Plain), 20).ToArray(), 0);
        var data = new LabelledImages("flat", images, torch.zeros(20, ScalarType.Int64), ["star"], "test");
        var detector = new ForegroundMomentsDetector();
        foreach (var transform in new[] { "zoom", "shiftx", "brightness", "rotate2d" })
        {
            var values = detector.Measure(data.Images).Select(TransformCatalog.Create(transform).Attribute).ToArray();
            Assert.Equal(0.0, AttributeSpreadSummary.Of(values).Std, 9);
        }
    }

    [Fact]
    public void AnExactlyLinearRelationGivesRIsOne()
    {
        var x = new[] { 1.0, 2, 3, 4, 5, 6 };
        var y = x.Select(v => 3 * v - 2).ToArray();
        var result = CorrelationResult.Of(x, y);
        Assert.Equal(1.0, result.PearsonR, 12);
        Assert.Equal(1.0, result.SpearmanRho, 12);
        Assert.Equal(0.0, result.PValue, 12);
        var noisy = CorrelationResult.Of(x, new[] { 2.0, 1, 4, 3, 6, 5 });
        Assert.InRange(noisy.PValue, 0.0, 0.05);
        Assert.InRange(noisy.PearsonR, 0.8, 0.9);
    }

    [Fact]
    public void PearsonPValueMatchesTheTDistribution()
    {
        // r = 0.5 on 10 pairs: t = 0.5·√(8/0.75) = 1.633 on 8 degrees of freedom, two-sided p ≈ 0.141.
        Assert.InRange(CorrelationResult.PearsonPValue(0.5, 10), 0.139, 0.143);
    }

    [Fact]
    public void PercentilesInterpolate()
    {
        var summary = AttributeSpreadSummary.Of(Enumerable.Range(0, 101).Select(i => (double)i).ToArray());
        Assert.Equal(5.0, summary.P5, 9);
        Assert.Equal(95.0, summary.P95, 9);
        Assert.Equal(50.0, summary.Mean, 9);
    }

    /// <summary>Std over all pixels of one image [1, C, S, S] in [-1, 1] of its channel mean, in [0, 1] units.</summary>
    private static double PixelLuminanceStd(Tensor image)
    {
        var values = ((image + 1) / 2).mean([1]).to(ScalarType.Float64).data<double>().ToArray();
        var mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }

    /// <summary>Every latent gives the same image (the latents still reach the output, times 0, so gradients flow).</summary>
    private static FunctionGenerator ConstantGenerator(Tensor image) =>
        new("constant", 32, latents => image.expand(latents.shape[0], -1, -1, -1) + 0 * latents.sum(1).view(-1, 1, 1, 1));

    /// <summary>Adds 0.1·z₀ to every pixel: the brightness attribute varies with std 0.05 over latents.</summary>
    private static FunctionGenerator BrightnessByLatentGenerator(Tensor image) =>
        new("brightness-by-latent", 32, latents => image.expand(latents.shape[0], -1, -1, -1) + 0.1 * latents[.., 0].view(-1, 1, 1, 1));

    [Fact]
    public void TheGeneratorsOwnSpreadIsMeasuredWithoutTheWalk()
    {
        using var generator = BrightnessByLatentGenerator(Render(ShapeKind.Square, Plain));
        var transform = TransformCatalog.Create("brightness");
        using var walk = new LinearWalk(transform, 4, 32, 1, false, new torch.Generator(1), torch.CPU);
        var (_, limits) = TransformLimit.Measure(generator, transform, walk, new ForegroundMomentsDetector(), [0], ["square"],
            transform.LinearTestGrid(32), latentsPerClass: 256, seed: 1);
        // Luminance is a distribution of sampled pixels in [0, 1]: the image's own pixel spread, and the latent's offset
        // (half the [-1, 1] offset: std 0.1 / 2 = 0.05) on top, ± a few sampling errors.
        var pixelStd = PixelLuminanceStd(Render(ShapeKind.Square, Plain));
        Assert.InRange(limits[0].UnmovedSpread, Math.Sqrt(pixelStd * pixelStd + 0.05 * 0.05) - 0.01, Math.Sqrt(pixelStd * pixelStd + 0.05 * 0.05) + 0.01);
        Assert.True(pixelStd > 0.03, $"the square's pixels spread {pixelStd}");
    }

    [Theory]
    [InlineData("shiftx")]
    [InlineData("zoom")]
    [InlineData("brightness")]
    public void AGeneratorThatIgnoresZHasModelLimitZero(string name)
    {
        using var generator = ConstantGenerator(Render(ShapeKind.Square, Plain));
        var transform = TransformCatalog.Create(name);
        using var walk = new LinearWalk(transform, 4, 32, 1, false, new torch.Generator(1), torch.CPU);
        var (points, limits) = TransformLimit.Measure(generator, transform, walk, new ForegroundMomentsDetector(), [0], ["square"],
            transform.LinearTestGrid(32), latentsPerClass: 8, seed: 1);
        if (transform.AttributeName == LuminanceSampler.AttributeName)
        {
            // Luminance pools sampled pixels: what stays is the one image's pixel spread, with or without the walk.
            var pixelStd = PixelLuminanceStd(Render(ShapeKind.Square, Plain));
            Assert.InRange(limits[0].UnmovedSpread, pixelStd - 0.02, pixelStd + 0.02);
            Assert.InRange(limits[0].Spread, pixelStd - 0.02, pixelStd + 0.02);
        }
        else
        {
            Assert.Equal(0.0, limits[0].Spread, 9);
            Assert.Equal(0.0, limits[0].UnmovedSpread, 9);
        }
        Assert.Equal(transform.IdentityAlpha, limits[0].LowestFollowed);
        Assert.Equal(transform.IdentityAlpha, limits[0].HighestFollowed);
        Assert.All(points.Where(p => p.Alpha != transform.IdentityAlpha), p => Assert.False(p.Follows));
    }

    [Fact]
    public void FollowedRangeStopsAtTheFirstAlphaThatDoesNotFollow()
    {
        var grid = new[] { -3.0, -2, -1, 0, 1, 2, 3 };
        var follows = new[] { true, false, true, true, true, true, false };
        Assert.Equal((-1.0, 2.0), TransformLimit.FollowedRange(grid, follows, 0));
    }
}

public sealed class ShapesAttributeValidationTests
{
    [Fact]
    public void TheMomentsDetectorRecoversTheTrueAttributesOfShapes()
    {
        var errors = ShapesAttributeValidation.Validate(new ForegroundMomentsDetector(), perClass: 40, seed: 3).ToDictionary(e => e.Attribute);
        Assert.True(errors["centre_x"].MeanAbsoluteError < 0.5, $"centre x MAE {errors["centre_x"].MeanAbsoluteError:F3} px");
        Assert.True(errors["centre_y"].MeanAbsoluteError < 0.5, $"centre y MAE {errors["centre_y"].MeanAbsoluteError:F3} px");
        Assert.True(errors["scale"].MeanAbsoluteError < 0.1, $"scale relative MAE {errors["scale"].MeanAbsoluteError:F3}");
        Assert.True(errors["orientation"].MeanAbsoluteError < 10, $"orientation MAE {errors["orientation"].MeanAbsoluteError:F2}°");
        Assert.True(errors["brightness"].MeanAbsoluteError < 0.02, $"brightness MAE {errors["brightness"].MeanAbsoluteError:F4}");
    }
}
