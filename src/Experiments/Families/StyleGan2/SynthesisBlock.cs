using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// SynthesisBlock of the `skip` architecture: the learned 4×4 constant (first block) or conv0 with 2× up-sampling,
/// then conv1; the image so far is up-sampled with the FIR filter and this block's ToRGB output added to it.
/// </summary>
public sealed class SynthesisBlock : PortLayoutModule
{
    private readonly Parameter? _const;
    private readonly SynthesisLayer? _conv0;
    private readonly SynthesisLayer _conv1;
    private readonly ToRgbLayer _toRgb;
    private readonly Tensor _filter;

    /// <summary>Creates the block at <paramref name="resolution"/> (<paramref name="inChannels"/> 0 for the first), weights to be loaded.</summary>
    public SynthesisBlock(StyleGan2Config config, int inChannels, int outChannels, int resolution) : base(nameof(SynthesisBlock))
    {
        Resolution = resolution;
        if (inChannels == 0)
        {
            _const = new Parameter(torch.zeros(outChannels, resolution, resolution), requires_grad: false);
            register_parameter("const", _const);
        }
        _filter = torch.zeros(4, 4);
        register_buffer("resample_filter", _filter);
        if (inChannels != 0)
        {
            _conv0 = new SynthesisLayer(inChannels, outChannels, config.StyleSize, resolution, up: 2, config.UseNoise, config.ConvClamp);
            register_module("conv0", _conv0);
        }
        _conv1 = new SynthesisLayer(outChannels, outChannels, config.StyleSize, resolution, up: 1, config.UseNoise, config.ConvClamp);
        register_module("conv1", _conv1);
        _toRgb = new ToRgbLayer(outChannels, config.ImageChannels, config.StyleSize, config.ConvClamp);
        register_module("torgb", _toRgb);
    }

    /// <summary>Output side of the block.</summary>
    public int Resolution { get; }

    /// <summary>ws this block reads: its convolutions plus its ToRGB (which shares the next block's first).</summary>
    public int WsCount => _conv0 is null ? 2 : 3;

    /// <summary>ws it advances by: its convolutions.</summary>
    public int ConvolutionCount => _conv0 is null ? 1 : 2;

    /// <summary>
    /// features x [N, in, r/2, r/2] (null for the first block), image [N, C, r/2, r/2] (null for the first), ws [N,
    /// <see cref="WsCount"/>, w_dim] → features [N, out, r, r] and image [N, C, r, r].
    /// </summary>
    public (Tensor Features, Tensor Image) Forward(Tensor? x, Tensor? image, Tensor ws, NoiseMode noiseMode, Action<string, Tensor>? record, bool fusedModulation = true)
    {
        using var scope = torch.NewDisposeScope();
        var prefix = $"synthesis.b{Resolution}";
        Tensor features;
        if (_conv0 is null)
        {
            features = _const!.unsqueeze(0).repeat(ws.shape[0], 1, 1, 1);
            features = _conv1.Forward(features, ws[.., 0], noiseMode, fusedModulation);
            record?.Invoke($"{prefix}.conv1", features);
        }
        else
        {
            features = _conv0.Forward(x ?? throw new ArgumentNullException(nameof(x)), ws[.., 0], noiseMode, fusedModulation);
            record?.Invoke($"{prefix}.conv0", features);
            features = _conv1.Forward(features, ws[.., 1], noiseMode, fusedModulation);
            record?.Invoke($"{prefix}.conv1", features);
        }
        var rgb = _toRgb.Forward(features, ws[.., WsCount - 1], fusedModulation);
        record?.Invoke($"{prefix}.torgb", rgb);
        var output = image is null ? rgb : StyleGan2Ops.Upsample2x(image, _filter) + rgb;
        record?.Invoke($"{prefix}.x", features);
        record?.Invoke($"{prefix}.img", output);
        return (features.MoveToOuterDisposeScope(), output.MoveToOuterDisposeScope());
    }
}
