using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Families.BigGan;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Families.BigGan;

/// <summary>Broken BigGAN files (made from the fixture in a temp folder) each give one line naming the file, the key and what was expected.</summary>
public sealed class BigGanModelFileErrorTests
{
    private static readonly string FixtureFolder = FixtureDirectory("biggan-tiny-a");
    private readonly ITestOutputHelper _output;

    public BigGanModelFileErrorTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void BigGanMissingKey()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("G.safetensors");
        RewriteFixture(path, tensors => tensors.Remove("blocks.1.0.bn2.gain.weight"));

        var error = Assert.Throws<ModelFileException>(() => BigGanGenerator.Load(path));

        AssertOneLine(error, path, "missing key 'blocks.1.0.bn2.gain.weight' (expected [64, 12]");
    }

    [Fact]
    public void BigGanMissingKeyAgainstAGivenConfig()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("G.safetensors");
        RewriteFixture(path, tensors => tensors.Remove("blocks.2.1.gamma"));
        var configPath = Path.Combine(FixtureFolder, "config.json");

        var error = Assert.Throws<ModelFileException>(() => BigGanGenerator.Load(path, configPath));

        AssertOneLine(error, path, $"missing key 'blocks.2.1.gamma' (expected [] for the layout of '{configPath}'");
    }

    [Fact]
    public void BigGanWrongShape()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("G.safetensors");
        RewriteFixture(path, tensors => tensors["output_layer.0.bias"] = torch.zeros(5));

        var error = Assert.Throws<ModelFileException>(() => BigGanGenerator.Load(path));

        AssertOneLine(error, path, "key 'output_layer.0.bias' has shape [5]; the layout inferred from the file (BigGAN 64×64, z 20, 10 classes) needs [16]");
    }

    [Fact]
    public void BigGanUnexpectedKey()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("G.safetensors");
        RewriteFixture(path, tensors => tensors.Add("blocks.0.0.bn1.accumulation_counter", torch.zeros(1)));

        var error = Assert.Throws<ModelFileException>(() => BigGanGenerator.Load(path));

        AssertOneLine(error, path, "unexpected key 'blocks.0.0.bn1.accumulation_counter'");
    }

    [Fact]
    public void BigGanDeepFileIsRecognisedAndRefused()
    {
        var path = Path.Combine(FixtureDirectory("biggan-deep-tiny-a"), "model.safetensors");

        var error = Assert.Throws<ModelFileException>(() => BigGanGenerator.Load(path));

        AssertOneLine(error, path, "looks like a BigGAN-deep");
    }

    [Theory]
    [InlineData("G_tiny.safetensors", "truncated safetensors")]
    [InlineData("G_ema.pth", "truncated or damaged PyTorch zip")]
    [InlineData("G_ema_legacy.pth", "truncated legacy PyTorch")]
    [InlineData("G_converter_style.pth", "truncated or damaged PyTorch zip")]
    public void BigGanTruncatedFile(string fileName, string reason)
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File(fileName);
        var bytes = File.ReadAllBytes(Path.Combine(FixtureFolder, fileName));
        File.WriteAllBytes(path, bytes[..(bytes.Length * 3 / 5)]);

        var error = Assert.Throws<ModelFileException>(() => BigGanGenerator.Load(path));

        AssertOneLine(error, path, reason);
    }

    /// <summary>Writes the fixture's state dict, changed by <paramref name="edit"/>, as safetensors at <paramref name="path"/>.</summary>
    private static void RewriteFixture(string path, Action<Dictionary<string, Tensor>> edit)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = StateDictFile.Read(Path.Combine(FixtureFolder, "G_tiny.safetensors"));
        edit(tensors);
        WriteSafetensors(path, tensors);
    }

    private void AssertOneLine(ModelFileException error, string path, string reasonPart)
    {
        _output.WriteLine(error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains(reasonPart, error.Message);
    }
}
