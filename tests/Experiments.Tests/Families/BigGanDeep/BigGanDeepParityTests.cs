using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Families.BigGanDeep;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Families.BigGanDeep;

/// <summary>BigGAN-deep in TorchSharp against outputs of the PyTorch port on the tiny fixture, for every file format.</summary>
public sealed class BigGanDeepParityTests
{
    private const double Tolerance = 1e-4;
    private static readonly string FixtureFolder = FixtureDirectory("biggan-deep-tiny-a");
    private readonly ITestOutputHelper _output;

    public BigGanDeepParityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData("model.safetensors")]
    [InlineData("pytorch_model.bin")]
    [InlineData("pytorch_model_legacy.bin")]
    public void BigGanOutputMatchesPyTorchReference(string weightsFile)
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(Path.Combine(FixtureFolder, "reference.safetensors"));
        using var generator = BigGanDeepGenerator.Load(
            Path.Combine(FixtureFolder, "config.json"), Path.Combine(FixtureFolder, weightsFile), truncation: ReferenceTruncation(reference));

        var output = generator.GenerateFromClassVectors(reference["z"], reference["class_vector"]);   // [4, 3, 128, 128]

        var error = RelativeError(output, reference["output"]);
        _output.WriteLine($"{weightsFile}: relative error {error:E3}");
        Assert.Equal(reference["output"].shape, output.shape);
        Assert.True(error < Tolerance, $"{weightsFile}: relative error {error:E3} ≥ {Tolerance}");
    }

    [Fact]
    public void BigGanReferenceDependsOnTheInterpolatedStatistics()
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(Path.Combine(FixtureFolder, "reference.safetensors"));
        using var generator = BigGanDeepGenerator.Load(FixtureFolder, truncation: 0.42);

        // Statistics for the neighbouring precomputed truncation alone must not reproduce the reference,
        // otherwise the parity tests above would not be checking the interpolation.
        var error = RelativeError(generator.GenerateFromClassVectors(reference["z"], reference["class_vector"]), reference["output"]);
        _output.WriteLine($"truncation 0.42 instead of 0.43: relative error {error:E3}");
        Assert.True(error > 100 * Tolerance, $"relative error {error:E3}");
    }

    [Fact]
    public void BigGanGenerateWithClassIndicesMatchesOneHotReferenceRows()
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(Path.Combine(FixtureFolder, "reference.safetensors"));
        using var generator = BigGanDeepGenerator.Load(FixtureFolder, truncation: ReferenceTruncation(reference));

        // Reference rows 0..2 are one-hot classes 1, 207, 980; row 3 is a mix (covered by the class-vector test).
        var output = generator.Generate(reference["z"][..3], torch.tensor(new long[] { 1, 207, 980 }));   // [3, 3, 128, 128]

        var error = RelativeError(output, reference["output"][..3]);
        _output.WriteLine($"class indices: relative error {error:E3}");
        Assert.True(error < Tolerance, $"relative error {error:E3}");
    }

    [Fact]
    public void BigGanFileFormatsHoldIdenticalTensors()
    {
        using var scope = torch.NewDisposeScope();
        var safetensors = StateDictFile.Read(Path.Combine(FixtureFolder, "model.safetensors"));
        var zip = StateDictFile.Read(Path.Combine(FixtureFolder, "pytorch_model.bin"));
        var legacy = StateDictFile.Read(Path.Combine(FixtureFolder, "pytorch_model_legacy.bin"));

        Assert.Equal(StateDictFormat.Safetensors, StateDictFile.DetectFormat(Path.Combine(FixtureFolder, "model.safetensors")));
        Assert.Equal(StateDictFormat.TorchZip, StateDictFile.DetectFormat(Path.Combine(FixtureFolder, "pytorch_model.bin")));
        Assert.Equal(StateDictFormat.TorchLegacy, StateDictFile.DetectFormat(Path.Combine(FixtureFolder, "pytorch_model_legacy.bin")));
        Assert.Equal(506, safetensors.Count);
        Assert.Equal(safetensors.Keys.Order(), zip.Keys.Order());
        Assert.Equal(safetensors.Keys.Order(), legacy.Keys.Order());
        foreach (var (key, tensor) in safetensors)
        {
            Assert.True(tensor.allclose(zip[key], rtol: 0, atol: 0), $"zip differs at {key}");
            Assert.True(tensor.allclose(legacy[key], rtol: 0, atol: 0), $"legacy differs at {key}");
        }
    }

    [Fact]
    public void BigGanLegacyFileWithOrderedDictAndMetadataReads()
    {
        // torch.save(model.state_dict()) pickles an OrderedDict carrying a `_metadata` attribute; the fixture holds a
        // plain dict. Rewrite its state-dict pickle (which starts after the three header pickles, at byte 137) into
        // the OrderedDict form: GLOBAL collections.OrderedDict, EMPTY_TUPLE, REDUCE instead of EMPTY_DICT, and a
        // BUILD of {'_metadata': {}} after the items. Storages follow the pickles sequentially, so nothing else moves.
        using var scope = torch.NewDisposeScope();
        using var folder = CreateTemporaryDirectory();
        var original = File.ReadAllBytes(Path.Combine(FixtureFolder, "pytorch_model_legacy.bin"));
        const int dictStart = 137;
        Assert.Equal(new byte[] { 0x80, 2, (byte)'}' }, original[dictStart..(dictStart + 3)]);
        const int stop = 65517;   // the pickle's STOP, right after its closing SETITEMS (found with Python's pickletools)
        Assert.Equal(new byte[] { (byte)'u', (byte)'.' }, original[(stop - 1)..(stop + 1)]);
        var orderedDict = "ccollections\nOrderedDict\n)R"u8.ToArray();
        var metadata = new byte[] { (byte)'}', (byte)'(', (byte)'X', 9, 0, 0, 0 }
            .Concat("_metadata"u8.ToArray())
            .Concat(new byte[] { (byte)'}', (byte)'u', (byte)'b' })
            .ToArray();
        var rewritten = original[..(dictStart + 2)]
            .Concat(orderedDict)
            .Concat(original[(dictStart + 3)..stop])
            .Concat(metadata)
            .Concat(original[stop..])
            .ToArray();
        var path = folder.File("pytorch_model_legacy.bin");
        File.WriteAllBytes(path, rewritten);

        var fromOrderedDict = StateDictFile.Read(path);
        var fromSafetensors = StateDictFile.Read(Path.Combine(FixtureFolder, "model.safetensors"));

        Assert.Equal(fromSafetensors.Keys.Order(), fromOrderedDict.Keys.Order());
        Assert.All(fromSafetensors, entry => Assert.True(entry.Value.allclose(fromOrderedDict[entry.Key], rtol: 0, atol: 0), entry.Key));
    }

    [Fact]
    public void BigGanNetworkFollowsTorchSharpDtypeMove()
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(Path.Combine(FixtureFolder, "reference.safetensors"));
        using var network = BigGanDeepLoader.LoadNetwork(Path.Combine(FixtureFolder, "config.json"), Path.Combine(FixtureFolder, "model.safetensors"));
        network.SelectTruncation(ReferenceTruncation(reference));

        // Module.to replaces every parameter and buffer (as a device move does); the layers' fields and derived
        // tensors must follow, or the forward pass would mix float32 and float64.
        network.to(ScalarType.Float64);
        var output = network.Forward(reference["z"].to(ScalarType.Float64), reference["class_vector"].to(ScalarType.Float64));

        var error = RelativeError(output, reference["output"]);
        _output.WriteLine($"float64: relative error {error:E3}");
        Assert.Equal(ScalarType.Float64, output.dtype);
        Assert.True(error < Tolerance, $"relative error {error:E3}");
    }

    [Fact]
    public void BigGanNetworkStoresExactlyThePortKeys()
    {
        using var scope = torch.NewDisposeScope();
        var fileKeys = StateDictFile.Read(Path.Combine(FixtureFolder, "model.safetensors")).Keys.Order().ToList();
        using var network = new BigGanDeepNetwork(BigGanDeepConfig.FromJsonFile(Path.Combine(FixtureFolder, "config.json")));

        Assert.Equal(fileKeys, network.state_dict().Keys.Order().ToList());
    }

    [Fact]
    public void BigGanDescribesItselfFromConfig()
    {
        using var generator = BigGanDeepGenerator.Load(FixtureFolder, truncation: 0.5);

        Assert.Equal("biggan-deep-128", generator.Name);
        Assert.Equal(128, generator.LatentSize);
        Assert.Equal(1000, generator.ClassCount);
        Assert.Equal(128, generator.ImageSize);
        Assert.Equal(3, generator.Channels);
        Assert.Equal(DeviceType.CPU, generator.Device.type);
        Assert.All(generator.Network.parameters(), parameter => Assert.False(parameter.requires_grad));
    }

    [Fact]
    public void BigGanLatentsAreTruncatedNormalScaledByTruncation()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = BigGanDeepGenerator.Load(FixtureFolder, truncation: 0.4);
        var first = generator.SampleLatents(256, new torch.Generator(11, torch.CPU));    // [256, 128]
        var again = generator.SampleLatents(256, new torch.Generator(11, torch.CPU));

        Assert.Equal(new long[] { 256, 128 }, first.shape);
        Assert.True(first.allclose(again, rtol: 0, atol: 0));
        Assert.True(first.abs().max().item<float>() <= 2 * 0.4f + 1e-6f);
        // A standard normal truncated to [−2, 2] has standard deviation ≈ 0.880; scaled by 0.4 ≈ 0.352.
        Assert.InRange(first.std().item<float>(), 0.33f, 0.37f);
    }

    [Theory]
    [InlineData(0.43, 21, 0.5)]
    [InlineData(1.0, 50, 0.0)]
    [InlineData(0.4, 20, 0.0)]
    [InlineData(0.05, 2, 0.5)]
    public void BigGanStatisticsPositionFollowsThePort(double truncation, int index, double fraction)
    {
        var position = TruncationStatisticsBatchNorm.StatisticsPosition(truncation, 51);

        Assert.Equal(index, position.Index);
        Assert.Equal(fraction, position.Fraction, 1e-9);
    }

    [Fact]
    public void BigGanRejectsTruncationOutsideUnitInterval()
    {
        using var generator = BigGanDeepGenerator.Load(FixtureFolder);

        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Truncation = 0.0);
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Truncation = 1.5);
        Assert.Equal(1.0, generator.Truncation);
    }

    /// <summary>
    /// The reference stores truncation as float32 (0.4300000071…); the port was called with the Python float 0.43,
    /// so round back to the value it used.
    /// </summary>
    private static double ReferenceTruncation(Dictionary<string, Tensor> reference) =>
        Math.Round(reference["truncation"].item<float>(), 6);
}
