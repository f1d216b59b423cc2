using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Families.StyleGan2;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Families.StyleGan2;

/// <summary>The stylegan2-tiny-a fixture (made by NVIDIA's stylegan2-ada-pytorch): its files and how each test loads them.</summary>
internal static class StyleGan2Fixture
{
    /// <summary>The copied fixture folder.</summary>
    public static readonly string Folder = FixtureDirectory("stylegan2-tiny-a");

    /// <summary>cond32 was built with conv_clamp 1.0, which its state dict cannot show.</summary>
    public static double? ConvClamp(string configuration) => configuration == "cond32" ? 1.0 : null;

    /// <summary>The snapshot pickle of <paramref name="configuration"/> (uncond16 or cond32).</summary>
    public static string Pickle(string configuration) => Path.Combine(Folder, $"{configuration}_network-snapshot.pkl");

    /// <summary>The one state-dict form copied for each configuration: safetensors for uncond16, torch.save zip for cond32.</summary>
    public static string StateDict(string configuration) =>
        Path.Combine(Folder, configuration == "uncond16" ? "uncond16_G_ema.safetensors" : "cond32_G_ema.state_dict.pt");

    /// <summary>The generator of <paramref name="configuration"/> from <paramref name="source"/>: "pickle" or "state-dict".</summary>
    public static StyleGan2Generator Load(string configuration, string source) => source switch
    {
        "pickle" => StyleGan2Generator.LoadPickle(Pickle(configuration)),
        "state-dict" => StyleGan2Generator.LoadStateDict(StateDict(configuration), convClamp: ConvClamp(configuration)),
        _ => throw new ArgumentException($"unknown source {source}", nameof(source)),
    };

    /// <summary>The reference tensors (z, c, w, ws_*, img_*, grad_*, act.*) of <paramref name="configuration"/>.</summary>
    public static Dictionary<string, Tensor> References(string configuration) =>
        StateDictFile.Read(Path.Combine(Folder, $"{configuration}_fixtures.safetensors"));

    /// <summary>The labels c the references used ([4, 0] when unconditional).</summary>
    public static Tensor? Labels(Dictionary<string, Tensor> references) => references.GetValueOrDefault("c");

    /// <summary>max |actual − expected|.</summary>
    public static double MaxAbsoluteError(Tensor actual, Tensor expected)
    {
        using var scope = torch.NewDisposeScope();
        return (actual.detach().to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().item<double>();
    }
}
