using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Families.BigGanDeep;
using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Generators;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Families.BigGanDeep;

/// <summary>Broken BigGAN-deep files (made from the fixture in a temp folder) each give one line naming the file and the problem.</summary>
public sealed class BigGanDeepModelFileErrorTests
{
    private static readonly string FixtureFolder = FixtureDirectory("biggan-deep-tiny-a");
    private static readonly string ConfigPath = Path.Combine(FixtureFolder, "config.json");
    private readonly ITestOutputHelper _output;

    public BigGanDeepModelFileErrorTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void BigGanMissingWeightsFile()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("model.safetensors");

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, "file not found");
    }

    [Fact]
    public void BigGanFolderWithoutWeights()
    {
        using var folder = CreateTemporaryDirectory();
        File.Copy(ConfigPath, folder.File("config.json"));

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(folder.Path));

        AssertOneLine(error, folder.Path, "no weights file found");
    }

    [Fact]
    public void BigGanMissingConfig()
    {
        using var folder = CreateTemporaryDirectory();
        File.Copy(Path.Combine(FixtureFolder, "model.safetensors"), folder.File("model.safetensors"));

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(folder.Path));

        AssertOneLine(error, folder.File("config.json"), "file not found");
    }

    [Fact]
    public void BigGanConfigThatIsNotJson()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("config.json");
        File.WriteAllText(path, "output_dim = 128\nz_dim = 128\n");

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(path, Path.Combine(FixtureFolder, "model.safetensors")));

        AssertOneLine(error, path, "not a JSON config");
    }

    [Fact]
    public void BigGanMissingKey()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("model.safetensors");
        RewriteFixture(path, tensors => tensors.Remove("generator.gen_z.bias"));

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, "missing key 'generator.gen_z.bias'");
    }

    [Fact]
    public void BigGanUnexpectedKey()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("model.safetensors");
        RewriteFixture(path, tensors => tensors.Add("generator.layers.11.conv_0.bias", torch.zeros(4)));

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, "unexpected key 'generator.layers.11.conv_0.bias'");
    }

    [Fact]
    public void BigGanWrongShape()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("model.safetensors");
        RewriteFixture(path, tensors => tensors["generator.bn.bias"] = torch.zeros(5));

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, "key 'generator.bn.bias' has shape [5], the config needs [4]");
    }

    [Theory]
    [InlineData("model.safetensors", "truncated safetensors")]
    [InlineData("pytorch_model.bin", "truncated or damaged PyTorch zip")]
    [InlineData("pytorch_model_legacy.bin", "truncated legacy PyTorch")]
    public void BigGanTruncatedFile(string fileName, string reason)
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File(fileName);
        var bytes = File.ReadAllBytes(Path.Combine(FixtureFolder, fileName));
        File.WriteAllBytes(path, bytes[..(bytes.Length * 3 / 5)]);

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, reason);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(40_000)]
    public void BigGanLegacyFileCutInsideItsPickles(int keptBytes)
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("pytorch_model_legacy.bin");
        File.WriteAllBytes(path, File.ReadAllBytes(Path.Combine(FixtureFolder, "pytorch_model_legacy.bin"))[..keptBytes]);

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, "truncated legacy PyTorch");
    }

    [Fact]
    public void BigGanWrongFormatTextFile()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("pytorch_model.bin");
        File.WriteAllText(path, "<!DOCTYPE html>\n<html><body>Not Found</body></html>\n");

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, "not a safetensors, PyTorch zip or legacy PyTorch file");
    }

    [Fact]
    public void BigGanGitLfsPointerInsteadOfWeights()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("pytorch_model.bin");
        File.WriteAllText(path, "version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 268435456\n");

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, "Git LFS pointer");
    }

    [Fact]
    public void BigGanEmptyFile()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("model.safetensors");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<ModelFileException>(() => BigGanDeepGenerator.Load(ConfigPath, path));

        AssertOneLine(error, path, "file is empty");
    }

    /// <summary>Writes the fixture's state dict, changed by <paramref name="edit"/>, as safetensors at <paramref name="path"/>.</summary>
    private static void RewriteFixture(string path, Action<Dictionary<string, Tensor>> edit)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = StateDictFile.Read(Path.Combine(FixtureFolder, "model.safetensors"));
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
