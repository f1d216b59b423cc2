using System.Text.Json;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>The generator's affine placement stage on drawings whose placed result is known.</summary>
public sealed class AffinePlacementTests
{
    private const int Size = 32;
    private const int InputSize = 6;

    /// <summary>A placement whose head answers (log scale, radians, shift x, shift y) for every input.</summary>
    private static AffinePlacement Fixed(double logScale, double radians, double shiftX, double shiftY)
    {
        var placement = new AffinePlacement(InputSize);
        var bias = placement.named_parameters().Single(p => p.name.EndsWith("out.bias")).parameter;
        var wanted = new[]
        {
            logScale / AffinePlacement.MaxLogScale, radians / AffinePlacement.MaxRadians,
            shiftX / AffinePlacement.MaxShift, shiftY / AffinePlacement.MaxShift,
        };
        using (torch.no_grad())
        {
            bias.copy_(torch.tensor(wanted.Select(v => (float)Math.Atanh(v)).ToArray()));
        }
        return placement;
    }

    /// <summary>A bright square of side <paramref name="side"/> on a dark background, centred in the image.</summary>
    private static Tensor CentredSquare(int side)
    {
        var image = torch.full(1, 3, Size, Size, -1f);
        var start = (Size - side) / 2;
        image[.., .., start..(start + side), start..(start + side)] = 1f;
        return image;
    }

    private static (double X, double Y) Centroid(Tensor image)
    {
        var weight = (image[0, 0] + 1).clamp_min(0);
        var grid = torch.arange(Size, dtype: ScalarType.Float32);
        var total = weight.sum().item<float>();
        return ((weight * grid.view(1, -1)).sum().item<float>() / total, (weight * grid.view(-1, 1)).sum().item<float>() / total);
    }

    /// <summary>Foreground area of a bright-on-dark image in pixels (background -1, object 1).</summary>
    private static double Area(Tensor image) => ((image[0, 0] + 1) / 2).sum().item<float>();

    [Fact]
    public void ANewPlacementLeavesTheDrawingAsItIs()
    {
        var drawn = torch.rand(4, 3, Size, Size) * 2 - 1;
        var placed = new AffinePlacement(InputSize).forward(drawn, torch.randn(4, InputSize));
        Assert.True((placed - drawn).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void ANewPlacementStartsAtItsInitialScaleAndAScaleOutsideTheBoundsIsRefused()
    {
        var placed = new AffinePlacement(InputSize, initialScale: 0.5).forward(CentredSquare(12), torch.zeros(1, InputSize));
        Assert.Equal(36, Area(placed), 0);
        var error = Assert.Throws<ArgumentException>(() => new AffinePlacement(InputSize, initialScale: 3));
        Assert.Contains("3", error.Message);
    }

    [Fact]
    public void AShiftOfHalfTheHalfSideMovesTheObjectByAQuarterOfTheImage()
    {
        var placed = Fixed(0, 0, 0.5, -0.25).forward(CentredSquare(6), torch.zeros(1, InputSize));
        var (x, y) = Centroid(placed);
        Assert.Equal(Size / 2 - 0.5 + 8, x, 2);
        Assert.Equal(Size / 2 - 0.5 - 4, y, 2);
    }

    [Fact]
    public void ALogScaleOfLn2DoublesTheSideAndKeepsTheBackgroundPlain()
    {
        var placed = Fixed(Math.Log(2), 0, 0, 0).forward(CentredSquare(6), torch.zeros(1, InputSize));
        Assert.Equal(144, Area(placed), 0);
        Assert.Equal(-1f, placed[0, .., 0, ..].max().item<float>());
    }

    /// <summary>A bar off the image centre on background 0 (where the edits' zero fill and the placement's border agree).</summary>
    private static Tensor Bar()
    {
        var bar = torch.zeros(1, 3, Size, Size);
        bar[.., .., 15..17, 12..20] = 1f;
        return bar;
    }

    [Fact]
    public void ATurnOfThePlacementIsTheRotate2dEditOfTheUnturnedPlacement()
    {
        // Shifted by 4 px (0.25 of half the side): a whole-pixel shift, which bilinear sampling leaves exact.
        var unturned = Fixed(0, 0, 0.25, 0).forward(Bar(), torch.zeros(1, InputSize));
        var turned = Fixed(0, Math.PI / 6, 0.25, 0).forward(Bar(), torch.zeros(1, InputSize));
        var edited = new Rotate2dTransform().Apply(unturned, torch.full(1, 1, 30f)).Images;
        Assert.True((turned - edited).abs().max().item<float>() < 1e-4f);
        Assert.True((turned - unturned).abs().max().item<float>() > 0.5f);
    }

    [Fact]
    public void AScaleOfThePlacementIsTheZoomEditOfTheUnscaledPlacement()
    {
        var unscaled = Fixed(0, 0, 0.125, -0.125).forward(Bar(), torch.zeros(1, InputSize));
        var doubled = Fixed(Math.Log(2), 0, 0.125, -0.125).forward(Bar(), torch.zeros(1, InputSize));
        // Zoom α = 0.5 reads the image at 0.5·u: everything it reads is inside, so its mask is 1 everywhere.
        var edited = new ZoomTransform().Apply(unscaled, torch.full(1, 1, 0.5f)).Images;
        Assert.True((doubled - edited).abs().max().item<float>() < 1e-4f);
        Assert.Equal(4 * unscaled.sum().item<float>(), doubled.sum().item<float>(), 0);
    }

    [Fact]
    public void ThePlacementIsWrittenToTheManifestOnlyWhenSetAndAnUnknownOneIsRefused()
    {
        var config = new DcganConfig(LatentSize: 8, ClassCount: 2, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4);
        Assert.DoesNotContain("placement", JsonSerializer.Serialize(config));
        var placed = config with { Placement = DcganConfig.AffinePlacement };
        Assert.Equal(placed, JsonSerializer.Deserialize<DcganConfig>(JsonSerializer.Serialize(placed)));
        var error = Assert.Throws<ArgumentException>((config with { Placement = "perspective" }).Validate);
        Assert.Contains("perspective", error.Message);
    }

    [Fact]
    public void APlacingGeneratorDrawsImagesOfTheConfiguredSizeWithThePlacementHeadInItsWeights()
    {
        var config = new DcganConfig(LatentSize: 8, ClassCount: 3, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4, Upsampling: DcganConfig.ResizeUpsampling, Placement: DcganConfig.AffinePlacement);
        var network = new DcganGeneratorNetwork(config);
        network.eval();
        using var noGrad = torch.no_grad();
        var images = network.forward(torch.randn(5, 8), torch.tensor(new long[] { 0, 1, 2, 0, 1 }));
        Assert.Equal(new long[] { 5, 3, 16, 16 }, images.shape);
        Assert.True(images.abs().max().item<float>() <= 1f);
        Assert.Contains(network.named_parameters(), p => p.name.Contains("placement"));
    }
}
