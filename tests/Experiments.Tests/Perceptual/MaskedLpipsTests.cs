using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Perceptual;
using Steerability.Experiments.Walks;
using TorchSharp;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static Steerability.Experiments.Tests.Perceptual.LpipsFixture;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Perceptual;

/// <summary>The authors' LPIPS walk loss (LPIPS of both images under the mask), LPIPS' input checks and its channel normalisation at zero.</summary>
public sealed class MaskedLpipsTests
{
    [Theory]
    [InlineData(LpipsInputMapping.AsAuthors)]
    [InlineData(LpipsInputMapping.MinusOneToOne)]
    public void MaskedLpipsIsLpipsOfBothMaskedImages(LpipsInputMapping mapping)
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(LpipsNet.Alex));
        using var lpips = Load(LpipsNet.Alex);
        var images = reference["in0"];                                                  // [4, 3, 64, 64]
        var targets = reference["in1"];
        var mask = torch.ones_like(images);
        mask[.., .., ..16, ..] = 0;                                                      // a shift's invalid band

        IWalkLoss loss = new MaskedLpips(lpips, mapping);
        var perSample = loss.PerSample(images, targets, mask);

        var masked = images * mask;
        var maskedTargets = targets * mask;
        var expected = mapping == LpipsInputMapping.AsAuthors
            ? lpips.Distance((2 * masked) - 1, (2 * maskedTargets) - 1)
            : lpips.Distance(masked, maskedTargets);
        Assert.Equal(new long[] { 4 }, perSample.shape);
        Assert.True(perSample.allclose(expected, rtol: 0, atol: 0));
        Assert.Equal("lpips-alex", loss.Name);
        Assert.Equal(0f, perSample[3].item<float>());
    }

    [Fact]
    public void MaskedLpipsIgnoresPixelsOutsideTheMaskAndTrainsTheImages()
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(LpipsNet.Alex));
        using var lpips = Load(LpipsNet.Alex);
        var images = reference["in0"].clone().requires_grad_(true);
        var targets = reference["in1"];
        var mask = torch.ones(4, 1, 64, 64);                                             // one channel, broadcast
        mask[.., .., .., 48..] = 0;
        var loss = new MaskedLpips(lpips);

        var before = loss.PerSample(images, targets, mask);
        var changedOutside = targets.clone();
        changedOutside[.., .., .., 48..] = torch.rand(4, 3, 64, 16) * 2 - 1;
        var after = loss.PerSample(images, changedOutside, mask);
        before.mean().backward();

        Assert.True(before.allclose(after, rtol: 0, atol: 0), "pixels outside the mask changed the loss");
        Assert.Equal(0f, images.grad![.., .., .., 48..].abs().max().item<float>());
        Assert.True(images.grad![.., .., .., ..48].abs().max().item<float>() > 0);
    }

    [Fact]
    public void MaskedL2AsAWalkLossIsItsStaticForm()
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.rand(3, 3, 8, 8);
        var targets = torch.rand(3, 3, 8, 8);
        var mask = (torch.rand(3, 3, 8, 8) > 0.3).to(ScalarType.Float32);

        IWalkLoss loss = MaskedL2.Loss;

        Assert.Equal("l2", loss.Name);
        Assert.True(loss.PerSample(images, targets, mask).allclose(MaskedL2.PerSample(images, targets, mask), rtol: 0, atol: 0));
    }

    [Fact]
    public void LpipsNormalisationHasAFiniteGradientWhereAllChannelsAreZero()
    {
        using var scope = torch.NewDisposeScope();
        // [1, 3, 1, 2]: position 0 is a dead ReLU column (every channel 0), position 1 is not.
        var features = torch.tensor(new float[] { 0, 1, 0, 2, 0, 2 }, [1, 3, 1, 2]).requires_grad_(true);
        var referenceFeatures = features.detach().clone().requires_grad_(true);

        var normalised = Lpips.NormaliseChannels(features);
        normalised.square().sum().backward();
        // The reference formula, x / (sqrt(Σ x²) + eps): same values, NaN gradient at the zero column.
        var reference = referenceFeatures / (referenceFeatures.square().sum(1, keepdim: true).sqrt() + Lpips.NormEpsilon);
        reference.square().sum().backward();

        Assert.True(normalised.allclose(reference, rtol: 0, atol: 0));
        Assert.True(features.grad!.isfinite().all().item<bool>(), "the gradient at a zero feature column is not finite");
        Assert.True(referenceFeatures.grad![0, .., 0, 0].isnan().all().item<bool>(), "the reference formula no longer gives NaN here: is the floor still needed?");
        Assert.True(features.grad![0, .., 0, 1].allclose(referenceFeatures.grad![0, .., 0, 1], rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData(LpipsNet.Alex, 31, true)]
    [InlineData(LpipsNet.Alex, 30, false)]
    [InlineData(LpipsNet.Vgg16, 16, true)]
    [InlineData(LpipsNet.Vgg16, 15, false)]
    public void LpipsStatesTheSmallestImageItTakes(LpipsNet net, int side, bool accepted)
    {
        using var scope = torch.NewDisposeScope();
        using var lpips = new Lpips(net);
        var images = torch.zeros(1, 3, side, side);

        if (accepted)
        {
            Assert.Equal(new long[] { 1 }, lpips.Distance(images, images).shape);
        }
        else
        {
            var error = Assert.Throws<ArgumentException>(() => lpips.Distance(images, images));
            Assert.Contains($"needs images of at least {side + 1}×{side + 1} pixels; got {side}×{side}", error.Message);
        }
    }

    [Fact]
    public void LpipsRefusesImagesOfDifferentShapesOrChannels()
    {
        using var scope = torch.NewDisposeScope();
        using var lpips = new Lpips(LpipsNet.Alex);

        var shapes = Assert.Throws<ArgumentException>(() => lpips.Distance(torch.zeros(2, 3, 32, 32), torch.zeros(2, 3, 40, 40)));
        var gray = Assert.Throws<ArgumentException>(() => lpips.Distance(torch.zeros(2, 1, 32, 32), torch.zeros(2, 1, 32, 32)));

        Assert.Contains("[2, 3, 32, 32] and [2, 3, 40, 40]", shapes.Message);
        Assert.Contains("RGB images [N, 3, H, W]; got [2, 1, 32, 32]", gray.Message);
    }

    [Fact]
    public void LpipsSpatialMapAveragesToTheDistanceOnAnEvenGrid()
    {
        // Every VGG layer at 64×64 upsamples by a whole factor, where bilinear upsampling with align_corners false keeps
        // the mean except at the borders; the reference's own check gave 1.5e-8 for vgg.
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(LpipsNet.Vgg16));
        using var lpips = Load(LpipsNet.Vgg16);

        var map = lpips.Evaluate(reference["in0"], reference["in1"], spatial: true).Total;   // [4, 1, 64, 64]

        Assert.True(RelativeError(map.mean([1, 2, 3]), lpips.Distance(reference["in0"], reference["in1"])) < 1e-3);
    }
}
