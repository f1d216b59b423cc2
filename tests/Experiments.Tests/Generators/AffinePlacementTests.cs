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
    private const int LatentSize = 4;
    private const int ClassEmbeddingSize = 2;
    private const int InputSize = LatentSize + ClassEmbeddingSize;

    private static AffinePlacement New(double initialScale = 1.0) => new(LatentSize, ClassEmbeddingSize, initialScale);

    /// <summary>The conditioning <see cref="Fixed"/> answers for: z = (1, 0, 0, 0), class embedding 0.</summary>
    private static Tensor UnitLatent()
    {
        var conditioning = torch.zeros(1, InputSize);
        conditioning[0, 0] = 1f;
        return conditioning;
    }

    /// <summary>
    /// A placement that answers (log scale, radians, shift x, shift y) for <see cref="UnitLatent"/>. The turn, measured
    /// from the turn at z = 0, comes from one hidden unit that reads z's first element; the rest are output biases.
    /// </summary>
    private static AffinePlacement Fixed(double logScale, double radians, double shiftX, double shiftY)
    {
        var placement = New();
        Tensor Parameter(string suffix) => placement.named_parameters().Single(p => p.name.EndsWith(suffix)).parameter;
        var wanted = new[] { logScale / AffinePlacement.MaxLogScale, 0, shiftX / AffinePlacement.MaxShift, shiftY / AffinePlacement.MaxShift };
        using (torch.no_grad())
        {
            Parameter("out.bias").copy_(torch.tensor(wanted.Select(v => (float)Math.Atanh(v)).ToArray()));
            Parameter("hidden.weight")[0].zero_();
            Parameter("hidden.weight")[0, 0] = 1f;
            Parameter("hidden.bias")[0] = 0f;
            Parameter("out.weight")[1, 0] = (float)Math.Atanh(radians / AffinePlacement.MaxRadians);
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
        torch.manual_seed(1);                                                              // the head's initial weights
        var drawn = torch.rand(4, 3, Size, Size, generator: new torch.Generator(2)) * 2 - 1;
        var placed = New().forward(drawn, torch.randn(4, InputSize, generator: new torch.Generator(3)));
        // Resampling at the identity lands on pixel centres up to float32 rounding of the grid: 1e-5 on values in
        // [-1, 1] is about 80 roundings, and any real move of random pixels changes them by order 1.
        Assert.True((placed - drawn).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void ANewPlacementStartsAtItsInitialScaleAndAScaleOutsideTheBoundsIsRefused()
    {
        var placed = New(initialScale: 0.5).forward(CentredSquare(12), torch.zeros(1, InputSize));
        Assert.Equal(36, Area(placed), 0);
        var error = Assert.Throws<ArgumentException>(() => New(initialScale: 3));
        Assert.Contains("3", error.Message);
    }

    [Fact]
    public void AShiftOfHalfTheHalfSideMovesTheObjectByAQuarterOfTheImage()
    {
        var placed = Fixed(0, 0, 0.5, -0.25).forward(CentredSquare(6), UnitLatent());
        var (x, y) = Centroid(placed);
        Assert.Equal(Size / 2 - 0.5 + 8, x, 2);
        Assert.Equal(Size / 2 - 0.5 - 4, y, 2);
    }

    [Fact]
    public void ALogScaleOfLn2DoublesTheSideAndKeepsTheBackgroundPlain()
    {
        var placed = Fixed(Math.Log(2), 0, 0, 0).forward(CentredSquare(6), UnitLatent());
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
        var unturned = Fixed(0, 0, 0.25, 0).forward(Bar(), UnitLatent());
        var turned = Fixed(0, Math.PI / 6, 0.25, 0).forward(Bar(), UnitLatent());
        var edited = new Rotate2dTransform().Apply(unturned, torch.full(1, 1, 30f)).Images;
        Assert.True((turned - edited).abs().max().item<float>() < 1e-4f);
        Assert.True((turned - unturned).abs().max().item<float>() > 0.5f);
    }

    [Fact]
    public void AScaleOfThePlacementIsTheZoomEditOfTheUnscaledPlacement()
    {
        var unscaled = Fixed(0, 0, 0.125, -0.125).forward(Bar(), UnitLatent());
        var doubled = Fixed(Math.Log(2), 0, 0.125, -0.125).forward(Bar(), UnitLatent());
        // Zoom α = 0.5 reads the image at 0.5·u: everything it reads is inside, so its mask is 1 everywhere.
        var edited = new ZoomTransform().Apply(unscaled, torch.full(1, 1, 0.5f)).Images;
        Assert.True((doubled - edited).abs().max().item<float>() < 1e-4f);
        Assert.Equal(4 * unscaled.sum().item<float>(), doubled.sum().item<float>(), 0);
    }

    [Fact]
    public void EachClassIsUnturnedAtZEqualsZeroWhateverTheHeadLearned()
    {
        var placement = New();
        using (torch.no_grad())
        {
            foreach (var (_, parameter) in placement.named_parameters())
            {
                parameter.copy_(torch.randn(parameter.shape, generator: new torch.Generator(5)));
            }
        }
        using var noGrad = torch.no_grad();
        var atZero = torch.cat([torch.zeros(8, LatentSize), torch.randn(8, ClassEmbeddingSize, generator: new torch.Generator(7))], dim: 1);
        var turns = placement.Placements(atZero);
        // At z = 0 the turn and the anchor turn it is measured from are the same head on the same values, scaled by π
        // once as a float32 tensor and once as a scalar: at most a rounding apart (2.4e-7 for turns up to π), so 1e-6.
        Assert.True(turns[.., 1].abs().max().item<float>() < 1e-6f, "the turn at z = 0 is 0 for every class");
        Assert.True(turns[.., 0].abs().max().item<float>() > 1e-3f, "the scale is not anchored");
        var away = atZero.clone();
        away[.., ..LatentSize] = torch.randn(8, LatentSize, generator: new torch.Generator(6));
        Assert.True(placement.Placements(away)[.., 1].abs().max().item<float>() > 1e-3f, "other latents turn");
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
        torch.manual_seed(1);                                                              // the network's initial weights
        using var network = new DcganGeneratorNetwork(config);
        network.eval();
        using var noGrad = torch.no_grad();
        var images = network.forward(torch.randn(5, 8, generator: new torch.Generator(2)), torch.tensor(new long[] { 0, 1, 2, 0, 1 }));
        Assert.Equal(new long[] { 5, 3, 16, 16 }, images.shape);
        Assert.True(images.abs().max().item<float>() <= 1f);
        Assert.Contains(network.named_parameters(), p => p.name.Contains("placement"));
    }
}
