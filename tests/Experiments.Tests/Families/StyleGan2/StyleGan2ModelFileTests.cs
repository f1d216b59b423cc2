using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Families.StyleGan2;
using TorchSharp;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static Steerability.Experiments.Tests.Families.StyleGan2.PickleWriter;
using static Steerability.Experiments.Tests.Families.StyleGan2.StyleGan2Fixture;

namespace Steerability.Experiments.Tests.Families.StyleGan2;

/// <summary>What the StyleGAN2 readers refuse, each with one line naming the file and what was found.</summary>
public sealed class StyleGan2ModelFileTests
{
    private readonly ITestOutputHelper _output;

    public StyleGan2ModelFileTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void StyleGan2PickleCallingOsSystemIsRefusedBeforeAnythingRuns()
    {
        using var folder = CreateTemporaryDirectory();
        var marker = folder.File("ran");
        var path = folder.File("evil.pkl");
        File.WriteAllBytes(path, Pickle(new Dictionary<string, object?> { ["G_ema"] = new PickleCall("os", "system", $"touch {marker}") }));

        var error = RefusalOf(path);

        Assert.Contains("os.system", error.Message);
        Assert.False(File.Exists(marker), "the pickle's command ran");
    }

    [Fact]
    public void StyleGan2PickleNamingBuiltinsEvalByStackGlobalIsRefused()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("eval.pkl");
        // Protocol 4 names globals with STACK_GLOBAL (module and name pushed as strings).
        File.WriteAllBytes(path, [0x80, 4, 0x8c, 8, .. "builtins"u8, 0x8c, 4, .. "eval"u8, 0x93, 0x8c, 3, .. "1+1"u8, 0x85, (byte)'R', (byte)'.']);

        var error = RefusalOf(path);

        Assert.Contains("builtins.eval", error.Message);
    }

    [Fact]
    public void StyleGan2TruncatedSnapshotIsRefused()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("cut.pkl");
        var bytes = File.ReadAllBytes(Pickle("uncond16"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = RefusalOf(path);

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void StyleGan2TensorFlowEraPickleIsRefusedWithTheConversionHint()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("stylegan2-ffhq-config-f.pkl");
        PickleInstance TensorFlowNetwork(string name) => new("dnnlib.tflib.network", "Network",
            new Dictionary<string, object?> { ["version"] = 4L, ["name"] = name, ["static_kwargs"] = new Dictionary<string, object?>() });
        File.WriteAllBytes(path, Pickle(new Dictionary<string, object?>
        {
            ["G"] = TensorFlowNetwork("G"),
            ["D"] = TensorFlowNetwork("D"),
            ["G_ema"] = TensorFlowNetwork("Gs"),
        }));

        var error = RefusalOf(path);

        Assert.Contains("TensorFlow-era", error.Message);
        Assert.Contains("dnnlib.tflib.network.Network", error.Message);
        Assert.Contains("legacy.py", error.Message);
    }

    [Fact]
    public void StyleGan2RefusesAStyleGan3NetworkByItsFourierInput()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("stylegan3-t.pkl");
        var input = PersistentModule("SynthesisInput", ModuleState(
            buffers: new() { ["freqs"] = Tensor([4, 2], "1"), ["phases"] = Tensor([4], "2") },
            kwargs: new() { ["w_dim"] = 16L, ["channels"] = 4L, ["size"] = 36L, ["sampling_rate"] = 16L, ["bandwidth"] = 2L }));
        var synthesis = PersistentModule("SynthesisNetwork", ModuleState(modules: new() { ["input"] = input }));
        var generator = PersistentModule("Generator", ModuleState(modules: new() { ["synthesis"] = synthesis }, kwargs: TinyGeneratorKwargs(new())));
        File.WriteAllBytes(path, Pickle(new Dictionary<string, object?> { ["G_ema"] = generator }));

        var error = RefusalOf(path);

        Assert.Contains("StyleGAN3", error.Message);
        Assert.Contains("synthesis.input is a SynthesisInput, with buffers freqs and phases", error.Message);
    }

    [Fact]
    public void StyleGan2RefusesAStyleGan3NetworkByItsInitKwargs()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("stylegan3-r.pkl");
        var generator = PersistentModule("Generator", ModuleState(kwargs: TinyGeneratorKwargs(new() { ["channel_base"] = 256L, ["use_radial_filters"] = true })));
        File.WriteAllBytes(path, Pickle(new Dictionary<string, object?> { ["G_ema"] = generator }));

        var error = RefusalOf(path);

        Assert.Contains("StyleGAN3", error.Message);
        Assert.Contains("use_radial_filters", error.Message);
    }

    [Fact]
    public void StyleGan2RefusesOtherSynthesisArchitectures()
    {
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("resnet.pkl");
        var generator = PersistentModule("Generator", ModuleState(kwargs: TinyGeneratorKwargs(new() { ["architecture"] = "resnet" })));
        File.WriteAllBytes(path, Pickle(new Dictionary<string, object?> { ["G_ema"] = generator }));

        var error = RefusalOf(path);

        Assert.Contains("architecture is 'resnet'", error.Message);
        Assert.Contains("'skip'", error.Message);
    }

    [Fact]
    public void StyleGan2StateDictWithAMissingKeyNamesIt()
    {
        using var scope = torch.NewDisposeScope();
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("G_ema.safetensors");
        var tensors = Steerability.Experiments.ModelFiles.StateDictFile.Read(StateDict("uncond16"));
        tensors.Remove("synthesis.b8.conv0.affine.bias");
        WriteSafetensors(path, tensors);

        var error = Assert.Throws<ModelFileException>(() => StyleGan2Generator.LoadStateDict(path).Dispose());
        _output.WriteLine(error.Message);

        Assert.Contains("missing key 'synthesis.b8.conv0.affine.bias'", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void StyleGan2StateDictOfAStyleGan3NetworkIsRefused()
    {
        using var scope = torch.NewDisposeScope();
        using var folder = CreateTemporaryDirectory();
        var path = folder.File("G_ema.safetensors");
        var tensors = Steerability.Experiments.ModelFiles.StateDictFile.Read(StateDict("uncond16"));
        tensors["synthesis.input.freqs"] = torch.zeros(4, 2);
        WriteSafetensors(path, tensors);

        var error = Assert.Throws<ModelFileException>(() => StyleGan2Generator.LoadStateDict(path).Dispose());
        _output.WriteLine(error.Message);

        Assert.Contains("StyleGAN3", error.Message);
        Assert.Contains("synthesis.input", error.Message);
    }

    private ModelFileException RefusalOf(string path)
    {
        var error = Assert.Throws<ModelFileException>(() => StyleGan2Generator.LoadPickle(path).Dispose());
        _output.WriteLine(error.Message);
        Assert.Equal(path, error.FilePath);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    private static Dictionary<string, object?> ModuleState(
        Dictionary<string, object?>? buffers = null, Dictionary<string, object?>? modules = null, Dictionary<string, object?>? kwargs = null) => new()
        {
            ["training"] = false,
            ["_parameters"] = new PickleCall("collections", "OrderedDict"),
            ["_buffers"] = buffers ?? new Dictionary<string, object?>(),
            ["_modules"] = modules ?? new Dictionary<string, object?>(),
            ["_init_args"] = Array.Empty<object?>(),
            ["_init_kwargs"] = kwargs ?? new Dictionary<string, object?>(),
        };

    private static Dictionary<string, object?> TinyGeneratorKwargs(Dictionary<string, object?> synthesisKwargs) => new()
    {
        ["z_dim"] = 16L,
        ["c_dim"] = 0L,
        ["w_dim"] = 16L,
        ["img_resolution"] = 16L,
        ["img_channels"] = 3L,
        ["mapping_kwargs"] = new Dictionary<string, object?> { ["num_layers"] = 2L },
        ["synthesis_kwargs"] = synthesisKwargs,
    };
}
