using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Families.StyleGan2;
using TorchSharp;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Families.StyleGan2.StyleGan2Fixture;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Families.StyleGan2;

/// <summary>The StyleGAN2 generator as walks use it, and how its architecture is found.</summary>
public sealed class StyleGan2GeneratorTests
{
    private readonly ITestOutputHelper _output;

    public StyleGan2GeneratorTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData("uncond16")]
    [InlineData("cond32")]
    public void StyleGan2ArchitectureInferredFromTheStateDictIsThePickledOne(string configuration)
    {
        using var fromPickle = Load(configuration, "pickle");
        using var fromStateDict = Load(configuration, "state-dict");

        _output.WriteLine(fromPickle.Config.ToString());
        Assert.Equal(fromPickle.Config with { Fp16Resolutions = 0 }, fromStateDict.Config);
        Assert.Equal(configuration == "uncond16" ? 6 : 8, fromPickle.WsCount);
    }

    [Fact]
    public void StyleGan2ConvClampChangesTheCond32Images()
    {
        using var scope = torch.NewDisposeScope();
        var references = References("cond32");
        // Without conv_clamp 1.0 (which the state dict cannot show) the images must differ: the parity tests exercise the clamp.
        using var unclamped = StyleGan2Generator.LoadStateDict(StateDict("cond32"));
        var image = unclamped.Synthesize(references["ws_psi0.7"]);

        var error = MaxAbsoluteError(image, references["img_from_ws_psi0.7"]);
        _output.WriteLine($"without conv_clamp: max |error| {error:E2}");
        Assert.True(error > 1e-2, $"max |error| {error:E2}");
    }

    [Fact]
    public void StyleGan2GenerateTurnsClassIndicesIntoOneHotLabels()
    {
        using var scope = torch.NewDisposeScope();
        var references = References("cond32");
        using IImageGenerator generator = Load("cond32", "pickle");
        ((StyleGan2Generator)generator).Truncation = 0.7;

        // The reference rows use one-hot c of class i % 4.
        var images = generator.Generate(references["z"], torch.tensor(new long[] { 0, 1, 2, 3 }));

        var error = MaxAbsoluteError(images, references["img_psi0.7"]);
        _output.WriteLine($"{generator.Name}: max |error| {error:E2}");
        Assert.Equal(("stylegan2-32", 16, 4, 32, 3), (generator.Name, generator.LatentSize, generator.ClassCount, generator.ImageSize, generator.Channels));
        Assert.True(error < 1e-5, $"max |error| {error:E2}");
    }

    [Fact]
    public void StyleGan2TruncationCutoffKeepsTheLaterWsAndPsiOneIsTheIdentity()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = Load("uncond16", "pickle");
        var w = generator.Map(torch.randn(3, 16, generator: new torch.Generator(7)));

        var full = generator.Truncate(w, 1.0);
        var cut = generator.Truncate(w, 0.5, cutoff: 2);

        Assert.True(Same(full, w.unsqueeze(1).expand(3, 6, 16)));
        Assert.True(Same(cut[.., 2..], full[.., 2..]));
        var pulled = generator.Network.Mapping.StyleAverage.lerp(full[.., ..2], 0.5);
        Assert.True(Same(cut[.., ..2], pulled));
        Assert.False(Same(cut[.., ..2], full[.., ..2]));
    }

    private static bool Same(Tensor first, Tensor second) => first.shape.SequenceEqual(second.shape) && (first == second).all().item<bool>();

    [Fact]
    public void StyleGan2ConditionalMapWithoutLabelsIsOneLine()
    {
        using var generator = Load("cond32", "pickle");
        var error = Assert.Throws<ArgumentException>(() => generator.Map(torch.zeros(2, 16)));
        Assert.Contains("needs labels c [2, 4]", error.Message);
    }
}
