using Steerability.Experiments.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Transforms;

/// <summary>Pins each edit down on hand-built images whose answer is known.</summary>
public sealed class TransformTests
{
    private const int Size = 32;

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && (a == b).all().item<bool>();

    private static Tensor Dot(int row, int column)
    {
        var image = torch.zeros(1, 3, Size, Size);
        image[0, .., row, column] = 1.0f;
        return image;
    }

    private static (int Row, int Column) Brightest(Tensor image)
    {
        var flat = image[0, 0].flatten().argmax().item<long>();
        return ((int)(flat / Size), (int)(flat % Size));
    }

    private static Tensor Alpha(double value, int dimensions = 1) => torch.full(1, dimensions, value, dtype: ScalarType.Float32);

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(-3)]
    [InlineData(12)]
    public void ShiftXMovesADotByExactlyAlphaPixels(int alpha)
    {
        var result = new ShiftTransform(vertical: false).Apply(Dot(10, 14), Alpha(alpha));
        Assert.Equal((10, 14 + alpha), Brightest(result.Images));
        Assert.Equal(1.0f, result.Images[0, 0, 10, 14 + alpha].item<float>());
        Assert.Equal(1.0f, result.Images.sum().item<float>() / 3);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-7)]
    public void ShiftYMovesADotDownByAlphaPixels(int alpha)
    {
        var result = new ShiftTransform(vertical: true).Apply(Dot(16, 9), Alpha(alpha));
        Assert.Equal((16 + alpha, 9), Brightest(result.Images));
    }

    [Fact]
    public void ShiftMaskIsZeroExactlyOnTheUncoveredColumns()
    {
        var result = new ShiftTransform(vertical: false).Apply(torch.ones(1, 3, Size, Size), Alpha(5));
        var mask = result.Mask[0, 0];
        Assert.Equal(0.0f, mask[.., ..5].sum().item<float>());
        Assert.Equal(Size * (Size - 5.0f), mask.sum().item<float>());
        Assert.True(Same(result.Mask, result.Images), "shifting an all-ones image gives exactly the mask");
    }

    [Fact]
    public void ZoomOutByTwoHalvesACentredSquaresSide()
    {
        var image = torch.zeros(1, 3, Size, Size);
        image[0, .., 8..24, 8..24] = 1.0f;                                               // a 16-px square
        var result = new ZoomTransform().Apply(image, Alpha(2.0));
        var row = result.Images[0, 0, 16];
        var lit = (row > 0.5f).sum().item<long>();
        Assert.Equal(8, lit);
        // The border that came from padding is masked out; the middle half is defined.
        Assert.Equal(0.0f, result.Mask[0, 0, 0, 0].item<float>());
        Assert.Equal(1.0f, result.Mask[0, 0, 16, 16].item<float>());
        Assert.Equal(16 * 16, (int)result.Mask[0, 0].sum().item<float>());
    }

    [Fact]
    public void ZoomInByHalfDoublesACentredSquaresSideAndDefinesEveryPixel()
    {
        var image = torch.zeros(1, 3, Size, Size);
        image[0, .., 12..20, 12..20] = 1.0f;                                             // an 8-px square
        var result = new ZoomTransform().Apply(image, Alpha(0.5));
        var lit = (result.Images[0, 0, 16] > 0.5f).sum().item<long>();
        Assert.Equal(16, lit);
        Assert.Equal(Size * Size, (int)result.Mask[0, 0].sum().item<float>());
    }

    [Fact]
    public void Rotate2dBy90TurnsADotRightOfTheCentreUpwards()
    {
        // Pixel centres: column 24 is 8 px right of the centre (16); after 90° counter-clockwise it sits 8 px above.
        var result = new Rotate2dTransform().Apply(Dot(15, 23), Alpha(90));
        var (row, column) = Brightest(result.Images);
        Assert.Equal(8, row);
        Assert.Equal(15, column);
    }

    [Fact]
    public void Rotate2dMaskLeavesTheCornersUndefinedAt45Degrees()
    {
        var result = new Rotate2dTransform().Apply(torch.ones(1, 3, Size, Size), Alpha(45));
        Assert.Equal(0.0f, result.Mask[0, 0, 0, 0].item<float>());
        Assert.Equal(1.0f, result.Mask[0, 0, 16, 16].item<float>());
        Assert.True(Same(result.Mask, (result.Images > 0).to(ScalarType.Float32)), "mask is the binarised rotated all-ones image");
    }

    [Fact]
    public void Rotate3dByZeroIsTheIdentity()
    {
        var image = torch.rand(2, 3, Size, Size, generator: new torch.Generator(7));
        var edit = new Rotate3dTransform();
        var homography = Rotate3dTransform.Homography(0, Size, Size);
        homography /= homography[2, 2];                                                  // a homography is defined up to scale
        Assert.True((homography - MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(3)).InfinityNorm() < 1e-9,
            "the homography at 0° is the identity matrix");
        var result = edit.Apply(image, torch.zeros(2, 1));
        Assert.True(Same(result.Images, image));
        Assert.Equal(2 * 3 * Size * Size, (int)result.Mask.sum().item<float>());
    }

    [Fact]
    public void Rotate3dNarrowsTheImageAndMasksTheSides()
    {
        var result = new Rotate3dTransform().Apply(torch.ones(1, 3, Size, Size), Alpha(60));
        var middleRow = result.Mask[0, 0, 16];
        var defined = (int)middleRow.sum().item<float>();
        Assert.InRange(defined, 8, Size - 4);                                           // foreshortened
        var nearZero = new Rotate3dTransform().Apply(torch.ones(1, 3, Size, Size), Alpha(1e-6));
        Assert.True((nearZero.Images - 1).abs().max().item<float>() < 1e-4, "an almost-zero rotation changes almost nothing");
        Assert.Equal(0.0f, result.Mask[0, 0, 16, 0].item<float>() * result.Mask[0, 0, 16, Size - 1].item<float>());
    }

    [Fact]
    public void BrightnessAddsAlphaEverywhereWithoutClipping()
    {
        var image = torch.full(1, 3, Size, Size, 0.9f);
        var result = new BrightnessTransform().Apply(image, Alpha(0.5));
        Assert.Equal(1.4f, result.Images.max().item<float>(), 5);
        Assert.Equal(1.4f, result.Images.min().item<float>(), 5);
        Assert.Equal(3 * Size * Size, (int)result.Mask.sum().item<float>());
    }

    [Fact]
    public void ColorAddsEachChannelsOwnAlpha()
    {
        var image = torch.zeros(1, 3, Size, Size);
        var alphas = torch.tensor(new[] { 0.25f, -0.5f, 0.0f }).view(1, 3);
        var result = new ColorTransform().Apply(image, alphas);
        Assert.Equal(0.25f, result.Images[0, 0].mean().item<float>(), 6);
        Assert.Equal(-0.5f, result.Images[0, 1].mean().item<float>(), 6);
        Assert.Equal(0.0f, result.Images[0, 2].abs().max().item<float>());
    }

    [Theory]
    [InlineData("zoom")]
    [InlineData("shiftx")]
    [InlineData("shifty")]
    [InlineData("brightness")]
    [InlineData("color")]
    [InlineData("rotate2d")]
    [InlineData("rotate3d")]
    public void IdentityAlphaReturnsTheImageBitForBit(string name)
    {
        var transform = TransformCatalog.Create(name);
        var image = torch.rand(3, 3, Size, Size, generator: new torch.Generator(11)) * 2 - 1;
        var alphas = torch.full(3, transform.Dimensions, transform.IdentityAlpha, dtype: ScalarType.Float32);
        var result = transform.Apply(image, alphas);
        Assert.True(Same(result.Images, image), $"{name} at its identity α changed the image");
        Assert.Equal(0.0f, transform.WalkCoefficients(alphas, Size).abs().max().item<float>());
    }

    [Theory]
    [InlineData("zoom", 0.25, 4)]
    [InlineData("shiftx", -15, 15)]
    [InlineData("brightness", -0.5, 0.5)]
    [InlineData("color", -0.5, 0.5)]
    [InlineData("rotate2d", -44, 44)]
    [InlineData("rotate3d", -44, 44)]
    public void TrainingAlphasStayInThePapersRange(string name, double low, double high)
    {
        var transform = TransformCatalog.Create(name);
        var alphas = transform.SampleTrainingAlphas(2000, new Random(3), Size);
        var values = alphas.Cast<double>().ToArray();
        Assert.All(values, a => Assert.InRange(a, low, high));
        Assert.True(values.Min() < low + (high - low) * 0.1 && values.Max() > high - (high - low) * 0.1, "the draws cover the range");
        if (name is "shiftx" or "rotate2d" or "rotate3d")
        {
            Assert.All(values, a => Assert.True(a != 0 && a == Math.Round(a), $"{a} is a non-zero integer"));
        }
    }

    [Fact]
    public void ShiftTestGridIsTheAuthorsGridScaledToTheImage()
    {
        var grid = new ShiftTransform(false).LinearTestGrid(Size);
        Assert.Equal(new double[] { -26, -19, -13, -6, 0, 6, 13, 19, 26 }, grid);
    }

    [Fact]
    public void WalkCoefficientsScaleAsThePaperSays()
    {
        var alphas = torch.tensor(new[] { 8.0f }).view(1, 1);
        Assert.Equal(0.5f, new ShiftTransform(false).WalkCoefficients(alphas, Size).item<float>(), 6);
        Assert.Equal(8.0f / 45, new Rotate2dTransform().WalkCoefficients(alphas, Size).item<float>(), 6);
        Assert.Equal((float)Math.Log(8), new ZoomTransform().WalkCoefficients(alphas, Size).item<float>(), 5);
    }

    [Fact]
    public void NonlinearStepCountsAreAlphaOverEpsilonBeforeRounding()
    {
        Assert.Equal(Math.Log(2) / Math.Log(1.41), new ZoomTransform().NonlinearSteps(2, Size), 12);       // ≈ 2.02
        Assert.Equal(Math.Log(1.0 / 16) / Math.Log(1.41), new ZoomTransform().NonlinearSteps(1.0 / 16, Size), 12);   // ≈ −8.07
        Assert.Equal(3.0, new Rotate2dTransform().NonlinearSteps(30, Size), 12);
        Assert.Equal(2.0, new ShiftTransform(false).NonlinearSteps(6, Size), 12);          // ε = 3 px at 32 px
    }
}
