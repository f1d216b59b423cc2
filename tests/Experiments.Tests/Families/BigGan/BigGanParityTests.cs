using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Families.BigGan;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Families.BigGan;

/// <summary>BigGAN in TorchSharp against BigGAN-PyTorch's own outputs on the tiny fixture (biggan-tiny-a), for every file format.</summary>
public sealed class BigGanParityTests
{
    /// <summary>fp32 against the fp64 reference differs by 1.4e-6 on the image; 1e-4 relative leaves room for kernel order.</summary>
    private const double Tolerance = 1e-4;
    private static readonly string FixtureFolder = FixtureDirectory("biggan-tiny-a");
    private readonly ITestOutputHelper _output;

    public BigGanParityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> WeightFiles => new() { "G_ema.pth", "G_ema_legacy.pth", "G_converter_style.pth", "G_tiny.safetensors" };

    [Theory]
    [MemberData(nameof(WeightFiles))]
    public void BigGanImageMatchesReference(string weightsFile)
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, weightsFile));

        var image = generator.GenerateFromEmbeddings(reference["z"], reference["y_embed"]);   // [4, 3, 64, 64]

        var error = RelativeError(image, reference["image"]);
        _output.WriteLine($"{weightsFile}: image relative error {error:E3}");
        Assert.Equal(reference["image"].shape, image.shape);
        Assert.True(error < Tolerance, $"{weightsFile}: image relative error {error:E3} ≥ {Tolerance}");
    }

    [Theory]
    [MemberData(nameof(WeightFiles))]
    public void BigGanGradientsMatchReference(string weightsFile)
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, weightsFile));
        var latents = reference["z"].clone().requires_grad_(true);
        var embeddings = reference["y_embed"].clone().requires_grad_(true);

        generator.GenerateFromEmbeddings(latents, embeddings).sum().backward();

        var latentError = RelativeError(latents.grad!, reference["grad_z"]);
        var embeddingError = RelativeError(embeddings.grad!, reference["grad_y_embed"]);
        _output.WriteLine($"{weightsFile}: grad_z relative error {latentError:E3}, grad_y_embed {embeddingError:E3}");
        Assert.True(latentError < Tolerance, $"grad_z relative error {latentError:E3}");
        Assert.True(embeddingError < Tolerance, $"grad_y_embed relative error {embeddingError:E3}");
    }

    [Fact]
    public void BigGanSpectralNormSigmasMatchReference()
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_tiny.safetensors"));
        var layers = generator.Network.SpectralNormLayers().ToDictionary(entry => entry.Name, entry => entry.Layer);
        var expectedNames = reference.Keys.Where(key => key.StartsWith("sn_sigma.", StringComparison.Ordinal)).Select(key => key["sn_sigma.".Length..]).Order().ToList();

        Assert.Equal(expectedNames, layers.Keys.Order().ToList());
        foreach (var name in expectedNames)
        {
            var expected = reference[$"sn_sigma.{name}"].item<float>();
            var actual = layers[name].Sigma.item<float>();
            Assert.True(Math.Abs(actual - expected) <= Tolerance * Math.Abs(expected), $"σ of {name}: {actual} against {expected}");
        }
    }

    [Fact]
    public void BigGanActivationsMatchReference()
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_ema.pth"));
        var activations = new Dictionary<string, Tensor>();

        using (torch.no_grad())
        {
            generator.Network.Forward(reference["z"], reference["y_embed"], activations);
        }

        var expectedNames = reference.Keys.Where(key => key.StartsWith("act.", StringComparison.Ordinal)).Select(key => key["act.".Length..]).Order().ToList();
        Assert.Equal(expectedNames, activations.Keys.Order().ToList());
        foreach (var name in expectedNames)
        {
            var error = RelativeError(activations[name], reference[$"act.{name}"]);
            _output.WriteLine($"act.{name}: relative error {error:E3}");
            Assert.True(error < Tolerance, $"act.{name}: relative error {error:E3}");
        }
    }

    [Fact]
    public void BigGanSoftClassVectorsReproduceTheClassMix()
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_tiny.safetensors"));

        // Rows 0–2 are one-hot; row 3 is 0.6·class 2 + 0.4·class 9, embedded as y_soft · shared.weight.
        var image = generator.GenerateFromClassVectors(reference["z"], reference["y_soft"]);

        var error = RelativeError(image, reference["image"]);
        var mixError = RelativeError(image[3], reference["image"][3]);
        _output.WriteLine($"soft class vectors: relative error {error:E3} (row 3, the mix: {mixError:E3})");
        Assert.True(error < Tolerance, $"relative error {error:E3}");
        Assert.True(mixError < Tolerance, $"mix row relative error {mixError:E3}");
    }

    [Fact]
    public void BigGanClassIndicesMatchTheOneHotRows()
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_tiny.safetensors"));

        var image = generator.Generate(reference["z"][..3], torch.tensor(new long[] { 3, 7, 5 }));   // [3, 3, 64, 64]

        var error = RelativeError(image, reference["image"][..3]);
        _output.WriteLine($"class indices: relative error {error:E3}");
        Assert.True(error < Tolerance, $"relative error {error:E3}");
        // Another class must change the image, or the check above would not test the embedding.
        var otherClasses = generator.Generate(reference["z"][..3], torch.tensor(new long[] { 4, 8, 6 }));
        Assert.True(RelativeError(otherClasses, reference["image"][..3]) > 100 * Tolerance);
    }

    [Fact]
    public void BigGanConfigFileGivesTheInferredNetwork()
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var inferred = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_ema.pth"));
        using var configured = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_ema.pth"), Path.Combine(FixtureFolder, "config.json"));

        var image = configured.GenerateFromEmbeddings(reference["z"], reference["y_embed"]);

        Assert.Equal(inferred.Config.StateDictLayout().Select(Describe), configured.Config.StateDictLayout().Select(Describe));
        Assert.Equal(inferred.Config.BatchNormEpsilon, configured.Config.BatchNormEpsilon);
        Assert.Equal(inferred.Config.SpectralNormEpsilon, configured.Config.SpectralNormEpsilon);
        Assert.True(RelativeError(image, reference["image"]) < Tolerance);
    }

    [Fact]
    public void BigGanFileFormatsHoldTheSameTensors()
    {
        using var scope = torch.NewDisposeScope();
        var safetensors = StateDictFile.Read(Path.Combine(FixtureFolder, "G_tiny.safetensors"));
        var zip = StateDictFile.Read(Path.Combine(FixtureFolder, "G_ema.pth"));
        var legacy = StateDictFile.Read(Path.Combine(FixtureFolder, "G_ema_legacy.pth"));
        var converter = StateDictFile.Read(Path.Combine(FixtureFolder, "G_converter_style.pth"));

        Assert.Equal(StateDictFormat.TorchZip, StateDictFile.DetectFormat(Path.Combine(FixtureFolder, "G_ema.pth")));
        Assert.Equal(StateDictFormat.TorchLegacy, StateDictFile.DetectFormat(Path.Combine(FixtureFolder, "G_ema_legacy.pth")));
        Assert.Equal(138, safetensors.Count);
        Assert.Equal(safetensors.Keys.Order(), zip.Keys.Order());
        Assert.Equal(safetensors.Keys.Order(), legacy.Keys.Order());
        // The converter's dict has every tensor but the 34 `sv0` ones.
        Assert.Equal(safetensors.Keys.Where(key => !key.EndsWith(".sv0", StringComparison.Ordinal)).Order(), converter.Keys.Order());
        Assert.All(converter, entry => Assert.True(entry.Value.allclose(safetensors[entry.Key], rtol: 0, atol: 0), entry.Key));
    }

    [Fact]
    public void BigGanNetworkStoresExactlyTheOriginalKeysAndShapes()
    {
        using var scope = torch.NewDisposeScope();
        var fileTensors = StateDictFile.Read(Path.Combine(FixtureFolder, "G_tiny.safetensors"));
        var config = BigGanLayoutInference.Infer("G_tiny.safetensors", fileTensors.ToDictionary(entry => entry.Key, entry => entry.Value.shape));
        using var network = new BigGanNetwork(config);

        var expected = fileTensors.Select(entry => Describe((entry.Key, entry.Value.shape))).Order().ToList();
        Assert.Equal(expected, network.state_dict().Select(entry => Describe((entry.Key, entry.Value.shape))).Order().ToList());
        Assert.Equal(expected, config.StateDictLayout().Select(Describe).Order().ToList());
    }

    [Fact]
    public void BigGanDescribesItselfAndIsFrozen()
    {
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_tiny.safetensors"), truncation: 0.5);

        Assert.Equal("biggan-64", generator.Name);
        Assert.Equal(20, generator.LatentSize);
        Assert.Equal(4, generator.Config.LatentChunkSize);
        Assert.Equal(10, generator.ClassCount);
        Assert.Equal(64, generator.ImageSize);
        Assert.Equal(3, generator.Channels);
        Assert.Equal(new[] { 2 }, generator.Config.AttentionBlocks.ToArray());
        Assert.Equal(DeviceType.CPU, generator.Device.type);
        Assert.NotEmpty(generator.Network.parameters());
        Assert.All(generator.Network.parameters(), parameter => Assert.False(parameter.requires_grad));
    }

    [Fact]
    public void BigGanGradientsReachLatentsAndClassVectorsOnly()
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_tiny.safetensors"));
        var latents = reference["z"].clone().requires_grad_(true);
        var classVectors = reference["y_soft"].clone().requires_grad_(true);

        generator.GenerateFromClassVectors(latents, classVectors).sum().backward();

        Assert.True(latents.grad!.abs().sum().item<float>() > 0);
        Assert.True(classVectors.grad!.abs().sum().item<float>() > 0);
        Assert.All(generator.Network.parameters(), parameter => Assert.Null(parameter.grad));
        // d sum(image)/dz does not depend on whether the class came as a soft vector or as its embedding, and the
        // soft vector's gradient is the embedding's carried back through y · shared.weight.
        Assert.True(RelativeError(latents.grad!, reference["grad_z"]) < Tolerance);
        var expectedClassGradient = reference["grad_y_embed"].matmul(generator.Network.ClassEmbeddingTable.t());   // [4, K]
        Assert.True(RelativeError(classVectors.grad!, expectedClassGradient) < Tolerance);
    }

    [Fact]
    public void BigGanLatentsAreTruncatedNormalScaledByTruncation()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = BigGanGenerator.Load(Path.Combine(FixtureFolder, "G_tiny.safetensors"), truncation: 0.5);
        var first = generator.SampleLatents(2000, new torch.Generator(11, torch.CPU));    // [2000, 20]
        var again = generator.SampleLatents(2000, new torch.Generator(11, torch.CPU));

        Assert.Equal(new long[] { 2000, 20 }, first.shape);
        Assert.True(first.allclose(again, rtol: 0, atol: 0));
        Assert.True(first.abs().max().item<float>() <= 2 * 0.5f + 1e-6f);
        // A standard normal truncated to [−2, 2] has standard deviation ≈ 0.880; scaled by 0.5 ≈ 0.440.
        Assert.InRange(first.std().item<float>(), 0.43f, 0.45f);
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Truncation = 0.0);
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Truncation = 1.5);
    }

    [Fact]
    public void BigGanNetworkFollowsTorchSharpDtypeMove()
    {
        using var scope = torch.NewDisposeScope();
        var reference = ReadReference();
        using var network = BigGanLoader.LoadNetwork(Path.Combine(FixtureFolder, "G_tiny.safetensors"));
        var latents = reference["z"].to(ScalarType.Float64).detach().requires_grad_(true);

        // Module.to replaces every parameter and buffer (as a device move does); the layers' fields and derived
        // weights must follow, or the forward pass would mix float32 and float64.
        network.to(ScalarType.Float64);
        var image = network.Forward(latents, reference["y_embed"].to(ScalarType.Float64));
        image.sum().backward();

        Assert.Equal(ScalarType.Float64, image.dtype);
        Assert.True(RelativeError(image, reference["image"]) < Tolerance);
        // float32 gradients differ from the reference by 3e-5, nearly all of it in row 0; float64 ones agree to 4e-7,
        // so that gap is float32 rounding, not a different network.
        var gradientError = RelativeError(latents.grad!, reference["grad_z"]);
        _output.WriteLine($"float64: grad_z relative error {gradientError:E3}");
        Assert.True(gradientError < 1e-5, $"float64 grad_z relative error {gradientError:E3}");
    }

    private static Dictionary<string, Tensor> ReadReference() => StateDictFile.Read(Path.Combine(FixtureFolder, "fixtures.safetensors"));

    private static string Describe((string Name, long[] Shape) entry) => $"{entry.Name} [{string.Join(", ", entry.Shape)}]";
}
