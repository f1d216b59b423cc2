using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.ModelFiles;
using System.Text.Json;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Families.BigGan;
using Xunit;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;

namespace Steerability.Experiments.Tests.Families.BigGan;

/// <summary>
/// The layouts of the real converted BigGAN-PyTorch generators (128, 256, 512), inferred from their (name, shape)
/// lists by the loader's own inference and checks, and the constructor-argument config forms.
/// </summary>
public sealed class BigGanLayoutInferenceTests
{
    private static readonly string FixtureFolder = FixtureDirectory("biggan-tiny-a");
    private readonly ITestOutputHelper _output;

    public BigGanLayoutInferenceTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    // resolution, dim_z, attention block, channels of every block's input then the last block's output (G_ch 96)
    [InlineData(128, 120, 3, new[] { 1536, 1536, 768, 384, 192, 96 })]
    [InlineData(256, 140, 4, new[] { 1536, 1536, 768, 768, 384, 192, 96 })]
    [InlineData(512, 128, 3, new[] { 1536, 1536, 768, 768, 384, 192, 96, 96 })]
    public void BigGanRealLayoutIsInferredFromItsKeys(int resolution, int latentSize, int attentionBlock, int[] channels)
    {
        var shapes = ReadKeyList(resolution, includeTrainingSingularValues: true);

        var config = BigGanLayoutInference.Infer($"state_dict_keys_real_{resolution}.txt", shapes);
        BigGanLoader.CheckLayout($"state_dict_keys_real_{resolution}.txt", config, shapes, "the inferred layout");

        _output.WriteLine($"{resolution}: z {config.LatentSize} = {config.SlotCount} × {config.LatentChunkSize}, attention after block {string.Join(",", config.AttentionBlocks)}");
        Assert.Equal(resolution, config.Resolution);
        Assert.Equal(latentSize, config.LatentSize);
        Assert.Equal(4, config.BottomWidth);
        Assert.Equal(1000, config.ClassCount);
        Assert.Equal(128, config.SharedEmbeddingSize);
        Assert.Equal(128 + config.LatentChunkSize, config.ConditionSize);
        Assert.Equal(new[] { attentionBlock }, config.AttentionBlocks.ToArray());
        Assert.Equal(channels, config.Blocks.Select(block => block.InputChannels).Append(config.TopChannels).ToArray());
        Assert.Equal(shapes.Count, config.StateDictLayout().Count);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void BigGanRealLayoutWithoutSingularValuesPassesTheChecks(int resolution)
    {
        // The TF-Hub converter writes no `sv0` entries; the forward pass never reads them.
        var shapes = ReadKeyList(resolution, includeTrainingSingularValues: false);

        var config = BigGanLayoutInference.Infer("converted", shapes);
        BigGanLoader.CheckLayout("converted", config, shapes, "the inferred layout");

        Assert.Equal(resolution, config.Resolution);
        Assert.DoesNotContain(shapes.Keys, key => key.EndsWith(".sv0", StringComparison.Ordinal));
    }

    [Fact]
    public void BigGanConverterConfigGivesTheRealLayout()
    {
        // The fixture's config.json records the converter's get_config(256) in the flat form it returns.
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("config.json");
        using (var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureFolder, "config.json"))))
        {
            File.WriteAllText(path, document.RootElement.GetProperty("converter_get_config_256").GetRawText());
        }
        var shapes = ReadKeyList(256, includeTrainingSingularValues: true);

        var configured = BigGanConfigFile.Read(path);
        BigGanLoader.CheckLayout("state_dict_keys_real_256.txt", configured, shapes, "the converter's config");

        var inferred = BigGanLayoutInference.Infer("state_dict_keys_real_256.txt", shapes);
        Assert.Equal(inferred.StateDictLayout().Select(Describe), configured.StateDictLayout().Select(Describe));
        Assert.Equal(1e-4, configured.BatchNormEpsilon);
        Assert.Equal(1e-4, configured.SpectralNormEpsilon);
    }

    [Fact]
    public void BigGanRealLayoutWithAWrongShapeIsRefused()
    {
        var shapes = ReadKeyList(256, includeTrainingSingularValues: true);
        shapes["blocks.3.0.bn2.gain.weight"] = [384, 128];

        var config = BigGanLayoutInference.Infer("G_ema.pth", shapes);
        var error = Assert.Throws<ModelFileException>(() => BigGanLoader.CheckLayout("G_ema.pth", config, shapes, "the inferred layout"));

        _output.WriteLine(error.Message);
        Assert.Contains("key 'blocks.3.0.bn2.gain.weight' has shape [384, 128]", error.Message);
        Assert.Contains("needs [384, 148]", error.Message);
    }

    [Fact]
    public void BigGanConfigWithoutHierarchicalLatentIsRefused()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("config.json");
        File.WriteAllText(path, """{"G_ch": 96, "dim_z": 120, "resolution": 128, "n_classes": 1000, "shared_dim": 128, "hier": false}""");

        var error = Assert.Throws<ModelFileException>(() => BigGanConfigFile.Read(path));

        _output.WriteLine(error.Message);
        Assert.Contains($"'{path}'", error.Message);
        Assert.Contains("config 'hier' is false", error.Message);
    }

    /// <summary>A state_dict_keys_real_*.txt list (name TAB [shape] [TAB note]) as name → shape.</summary>
    private static Dictionary<string, long[]> ReadKeyList(int resolution, bool includeTrainingSingularValues)
    {
        var shapes = new Dictionary<string, long[]>();
        foreach (var line in File.ReadLines(Path.Combine(FixtureFolder, $"state_dict_keys_real_{resolution}.txt")))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = line.Split('\t');
            if (!includeTrainingSingularValues && fields[0].EndsWith(".sv0", StringComparison.Ordinal))
            {
                continue;
            }
            var dimensions = fields[1].Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            shapes[fields[0]] = dimensions.Select(long.Parse).ToArray();
        }
        return shapes;
    }

    private static string Describe((string Name, long[] Shape) entry) => $"{entry.Name} [{string.Join(", ", entry.Shape)}]";
}
