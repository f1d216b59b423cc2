using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// A frozen StyleGAN2 generator (stylegan2-ada-pytorch) for walks: <see cref="Map"/> z, c → w,
/// <see cref="Truncate"/> w → ws (W+), <see cref="Synthesize"/> ws → images; as an <see cref="IImageGenerator"/> it
/// walks in z with the truncation and noise set on it. Weights never get gradients; z, w and ws do.
/// </summary>
public sealed class StyleGan2Generator : IImageGenerator
{
    private readonly StyleGan2Network _network;
    private double _truncation = 1;
    private int? _truncationCutoff;

    private StyleGan2Generator(StyleGan2Network network, Device device, string name)
    {
        _network = network;
        Device = device;
        Name = name;
    }

    /// <summary>Wraps a loaded network (see <see cref="StyleGan2Loader"/>), moved to <paramref name="device"/> (default CPU).</summary>
    public static StyleGan2Generator FromNetwork(StyleGan2Network network, Device? device = null)
    {
        var target = device ?? torch.CPU;
        if (target.type != DeviceType.CPU)
        {
            network.to(target);
        }
        return new StyleGan2Generator(network, target, $"stylegan2-{network.Config.Resolution}");
    }

    /// <summary>Loads G_ema (or <paramref name="networkName"/>) from a stylegan2-ada-pytorch `network-snapshot-*.pkl`.</summary>
    public static StyleGan2Generator LoadPickle(string path, Device? device = null, string networkName = StyleGan2Loader.DefaultNetwork) =>
        FromNetwork(StyleGan2Loader.LoadPickle(path, networkName), device);

    /// <summary>Loads a G_ema state dict with the official names (see <see cref="StyleGan2Loader.LoadStateDict"/>).</summary>
    public static StyleGan2Generator LoadStateDict(string path, StyleGan2Config? config = null, double? convClamp = null, Device? device = null) =>
        FromNetwork(StyleGan2Loader.LoadStateDict(path, config, convClamp), device);

    /// <summary>The network itself.</summary>
    public StyleGan2Network Network => _network;

    /// <summary>The architecture.</summary>
    public StyleGan2Config Config => _network.Config;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int LatentSize => Config.LatentSize;

    /// <inheritdoc />
    public int ClassCount => Config.ClassCount;

    /// <inheritdoc />
    public int ImageSize => Config.Resolution;

    /// <inheritdoc />
    public int Channels => Config.ImageChannels;

    /// <inheritdoc />
    public Device Device { get; }

    /// <summary>Number of ws synthesis takes (the W+ rows).</summary>
    public int WsCount => Config.WsCount;

    /// <summary>The noise input used by <see cref="Generate"/> (default const, as generate.py).</summary>
    public NoiseMode Noise { get; set; } = NoiseMode.Const;

    /// <summary>
    /// Whether modulated convolutions run fused (one grouped convolution over per-sample weights: NVIDIA's choice in
    /// eval mode, the default) or unfused (activations scaled around one ordinary convolution); they differ by rounding.
    /// </summary>
    public bool FusedModulation { get; set; } = true;

    /// <summary>Truncation ψ used by <see cref="Generate"/> (1: none; generate.py's default).</summary>
    public double Truncation
    {
        get => _truncation;
        set => _truncation = double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Truncation), value, "ψ must be finite");
    }

    /// <summary>Truncation cutoff used by <see cref="Generate"/>: only the first this many ws are truncated (null: all).</summary>
    public int? TruncationCutoff
    {
        get => _truncationCutoff;
        set => _truncationCutoff = value is null or >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(TruncationCutoff), value, "the cutoff must be ≥ 0");
    }

    /// <inheritdoc />
    /// <remarks>Standard normal, as generate.py draws z.</remarks>
    public Tensor SampleLatents(int count, torch.Generator random) =>
        torch.randn([count, LatentSize], generator: random, device: random.device).to(Device);

    /// <summary>
    /// The mapping: z [N, z_dim] and labels c [N, c_dim] (one-hot or mixed; null or [N, 0] when unconditional) → w [N, w_dim].
    /// </summary>
    public Tensor Map(Tensor latents, Tensor? labels = null, Action<string, Tensor>? record = null)
    {
        if (latents.dim() != 2 || latents.shape[1] != LatentSize)
        {
            throw new ArgumentException($"z must be [N, {LatentSize}], got [{string.Join(", ", latents.shape)}]", nameof(latents));
        }
        if (ClassCount > 0 && (labels is null || labels.dim() != 2 || labels.shape[0] != latents.shape[0] || labels.shape[1] != ClassCount))
        {
            var found = labels is null ? "none" : $"[{string.Join(", ", labels.shape)}]";
            throw new ArgumentException($"this conditional generator needs labels c [{latents.shape[0]}, {ClassCount}], got {found}", nameof(labels));
        }
        using var scope = torch.NewDisposeScope();
        return _network.Mapping.Forward(latents.to(Device), ClassCount > 0 ? labels!.to(Device) : null, record).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Broadcasts w [N, w_dim] to ws [N, num_ws, w_dim] and truncates: w_avg.lerp(w, ψ) on the first
    /// <paramref name="cutoff"/> ws (all when null), as NVIDIA's mapping does; ψ = 1 leaves w as it is.
    /// </summary>
    public Tensor Truncate(Tensor styles, double psi = 1, int? cutoff = null)
    {
        if (styles.dim() != 2 || styles.shape[1] != Config.StyleSize)
        {
            throw new ArgumentException($"w must be [N, {Config.StyleSize}], got [{string.Join(", ", styles.shape)}]", nameof(styles));
        }
        if (cutoff is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cutoff), cutoff, "the truncation cutoff must be ≥ 0");
        }
        using var scope = torch.NewDisposeScope();
        var ws = styles.unsqueeze(1).repeat(1, WsCount, 1);                                // [N, num_ws, w_dim]
        if (psi != 1)
        {
            var average = _network.Mapping.StyleAverage;
            var truncatedCount = Math.Min(cutoff ?? WsCount, WsCount);
            var truncated = average.lerp(ws[.., ..truncatedCount], psi);
            ws = truncatedCount == WsCount ? truncated : torch.cat([truncated, ws[.., truncatedCount..]], 1);
        }
        return ws.MoveToOuterDisposeScope();
    }

    /// <summary>The synthesis: ws [N, num_ws, w_dim] → images [N, C, R, R] (not clamped: NVIDIA clamps only when writing PNGs).</summary>
    public Tensor Synthesize(Tensor ws, NoiseMode? noise = null, Action<string, Tensor>? record = null)
    {
        using var scope = torch.NewDisposeScope();
        return _network.Synthesis.Forward(ws.to(Device), noise ?? Noise, record, FusedModulation).MoveToOuterDisposeScope();
    }

    /// <summary>z, c → images with the generator's truncation and noise: Synthesize(Truncate(Map(z, c), ψ, cutoff)).</summary>
    public Tensor GenerateFromLabels(Tensor latents, Tensor? labels)
    {
        using var scope = torch.NewDisposeScope();
        var ws = Truncate(Map(latents, labels), _truncation, _truncationCutoff);
        return Synthesize(ws).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>Class indices become one-hot labels c for conditional models; they are ignored otherwise.</remarks>
    public Tensor Generate(Tensor latents, Tensor classIndices)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? labels = null;
        if (ClassCount > 0)
        {
            labels = nn.functional.one_hot(classIndices.to(ScalarType.Int64).to(Device), ClassCount).to(ScalarType.Float32);   // [N, c_dim]
        }
        return GenerateFromLabels(latents, labels).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();
}
