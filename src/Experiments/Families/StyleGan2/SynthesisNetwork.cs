using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>The synthesis network ws [N, num_ws, w_dim] → images [N, C, R, R]: one <see cref="SynthesisBlock"/> per resolution 4 … R.</summary>
public sealed class SynthesisNetwork : PortLayoutModule
{
    private readonly SynthesisBlock[] _blocks;
    private readonly StyleGan2Config _config;

    /// <summary>Creates the synthesis network of <paramref name="config"/>, weights to be loaded.</summary>
    public SynthesisNetwork(StyleGan2Config config) : base(nameof(SynthesisNetwork))
    {
        _config = config;
        _blocks = config.BlockResolutions
            .Select(resolution => new SynthesisBlock(config, resolution == 4 ? 0 : config.Channels(resolution / 2), config.Channels(resolution), resolution))
            .ToArray();
        foreach (var block in _blocks)
        {
            register_module($"b{block.Resolution}", block);
        }
    }

    /// <summary>ws [N, num_ws, w_dim] → images [N, C, R, R] (float32; fp16 blocks are computed in float32, as force_fp32 does).</summary>
    public Tensor Forward(Tensor ws, NoiseMode noiseMode, Action<string, Tensor>? record = null, bool fusedModulation = true)
    {
        if (ws.dim() != 3 || ws.shape[1] != _config.WsCount || ws.shape[2] != _config.StyleSize)
        {
            throw new ArgumentException($"ws must be [N, {_config.WsCount}, {_config.StyleSize}], got [{string.Join(", ", ws.shape)}]", nameof(ws));
        }
        using var scope = torch.NewDisposeScope();
        ws = ws.to(ScalarType.Float32);
        Tensor? features = null;
        Tensor? image = null;
        var first = 0;
        foreach (var block in _blocks)
        {
            (features, image) = block.Forward(features, image, ws.narrow(1, first, block.WsCount), noiseMode, record, fusedModulation);
            first += block.ConvolutionCount;
        }
        return image!.MoveToOuterDisposeScope();
    }
}
