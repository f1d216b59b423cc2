using System.IO.Compression;
using System.Text;
using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Perceptual;
using TorchSharp;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static Steerability.Experiments.Tests.Perceptual.LpipsFixture;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Perceptual;

/// <summary>LPIPS weight files that cannot be used (made from the fixture in a temp folder) each give one line naming the file, the key and what was expected.</summary>
public sealed class LpipsModelFileErrorTests
{
    private readonly ITestOutputHelper _output;

    public LpipsModelFileErrorTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void LpipsHeadsFileMissingAKey()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("alex.safetensors");
        Rewrite(HeadsPath(LpipsNet.Alex), path, tensors => tensors.Remove("lin3.model.1.weight"));

        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, AlexTrunkPath, path));

        AssertOneLine(error, path, "missing key 'lin3.model.1.weight' (LPIPS v0.1 alex heads need it, shape [1, 256, 1, 1])");
    }

    [Fact]
    public void LpipsTrunkWithAWrongShape()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("alexnet.safetensors");
        Rewrite(AlexTrunkPath, path, tensors => tensors["features.3.weight"] = torch.zeros(192, 64, 3, 3));

        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, path, HeadsPath(LpipsNet.Alex)));

        AssertOneLine(error, path, "key 'features.3.weight' has shape [192, 64, 3, 3], torchvision AlexNet features need [192, 64, 5, 5]");
    }

    [Fact]
    public void LpipsHeadsOfTheOtherNet()
    {
        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, AlexTrunkPath, HeadsPath(LpipsNet.Vgg16)));

        AssertOneLine(error, HeadsPath(LpipsNet.Vgg16), "key 'lin1.model.1.weight' has shape [1, 128, 1, 1], LPIPS v0.1 alex heads need [1, 192, 1, 1]");
    }

    [Fact]
    public void LpipsTextFileInsteadOfAStateDict()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("alex.pth");
        File.WriteAllText(path, "<!DOCTYPE html>\n<html><body>Not Found</body></html>\n");

        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, AlexTrunkPath, path));

        AssertOneLine(error, path, "not a safetensors, PyTorch zip or legacy PyTorch file");
    }

    [Fact]
    public void LpipsWholeModelPickleInsteadOfAStateDict()
    {
        // torch.save(model) instead of torch.save(model.state_dict()): the zip's data.pkl holds an AlexNet object.
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("alexnet.pth");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            WriteEntry(archive, "archive/data.pkl", [0x80, 2, .. Encoding.ASCII.GetBytes("ctorchvision.models.alexnet\nAlexNet\n"), (byte)')', 0x81, (byte)'.']);
            WriteEntry(archive, "archive/byteorder", Encoding.ASCII.GetBytes("little"));
            WriteEntry(archive, "archive/version", Encoding.ASCII.GetBytes("3\n"));
        }

        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, path, HeadsPath(LpipsNet.Alex)));

        AssertOneLine(error, path, "does not hold a state dict");
    }

    [Fact]
    public void LpipsFilesSwapped()
    {
        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, HeadsPath(LpipsNet.Alex), AlexTrunkPath));

        AssertOneLine(error, HeadsPath(LpipsNet.Alex), "missing key 'features.0.weight' (torchvision AlexNet features need it, shape [64, 3, 11, 11]); this looks like an LPIPS heads file");
    }

    [Fact]
    public void LpipsTrunkSavedFromFeaturesAlone()
    {
        // torch.save(model.features.state_dict()) has keys "0.weight", ... without the "features." prefix.
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("alexnet_features.safetensors");
        Rewrite(AlexTrunkPath, path, tensors =>
        {
            foreach (var key in tensors.Keys.ToList())
            {
                tensors[key["features.".Length..]] = tensors[key];
                tensors.Remove(key);
            }
        });

        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, path, HeadsPath(LpipsNet.Alex)));

        AssertOneLine(error, path, "missing key 'features.0.weight'");
        Assert.Contains("the file has '0.weight': save the whole classifier's state_dict(), not its .features", error.Message);
    }

    [Fact]
    public void LpipsIntegerTensorInsteadOfWeights()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("alex.safetensors");
        Rewrite(HeadsPath(LpipsNet.Alex), path, tensors => tensors["lin0.model.1.weight"] = torch.zeros([1, 64, 1, 1], ScalarType.Int64));

        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, AlexTrunkPath, path));

        AssertOneLine(error, path, "key 'lin0.model.1.weight' holds Int64 values, LPIPS v0.1 alex heads need floating point");
    }

    [Fact]
    public void LpipsMissingFile()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("alexnet-owt-7be5be79.pth");

        var error = Assert.Throws<ModelFileException>(() => LpipsLoader.Load(LpipsNet.Alex, path, HeadsPath(LpipsNet.Alex)));

        AssertOneLine(error, path, "file not found");
    }

    [Fact]
    public void LpipsTrunkWithTheClassifierKeysLoads()
    {
        // torchvision's published file is the whole classifier: classifier.* (and anything else) is ignored.
        using var scope = torch.NewDisposeScope();
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("alexnet.safetensors");
        Rewrite(AlexTrunkPath, path, tensors =>
        {
            tensors["classifier.1.weight"] = torch.ones(4096, 9216);
            tensors["classifier.1.bias"] = torch.ones(4096);
        });
        var reference = StateDictFile.Read(ReferencePath(LpipsNet.Alex));

        using var lpips = LpipsLoader.Load(LpipsNet.Alex, path, HeadsPath(LpipsNet.Alex));

        Assert.True(RelativeError(lpips.Evaluate(reference["in0"], reference["in1"]).Total, reference["dist"]) < 1e-4);
    }

    /// <summary>Writes the state dict of <paramref name="source"/>, changed by <paramref name="edit"/>, as safetensors at <paramref name="path"/>.</summary>
    private static void Rewrite(string source, string path, Action<Dictionary<string, Tensor>> edit)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = StateDictFile.Read(source);
        edit(tensors);
        WriteSafetensors(path, tensors);
    }

    private static void WriteEntry(ZipArchive archive, string name, byte[] bytes)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(bytes);
    }

    private void AssertOneLine(ModelFileException error, string path, string reasonPart)
    {
        _output.WriteLine(error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains(reasonPart, error.Message);
    }
}
