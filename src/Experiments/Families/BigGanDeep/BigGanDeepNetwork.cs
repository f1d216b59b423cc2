using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGanDeep;

/// <summary>
/// The BigGAN-deep module tree with the port's state-dict names: `embeddings` (class vector → embedding, no bias)
/// and `generator` (<see cref="BigGanDeepSynthesis"/>). Forward: (z [N, d], class vector [N, K]) → image [N, 3, S, S].
/// </summary>
public sealed class BigGanDeepNetwork : PortLayoutModule
{
    private readonly Linear _classEmbedding;
    private readonly BigGanDeepSynthesis _synthesis;

    /// <summary>Creates the network for <paramref name="config"/> with placeholder weights (to be filled by a loader).</summary>
    public BigGanDeepNetwork(BigGanDeepConfig config) : base(nameof(BigGanDeepNetwork))
    {
        Config = config;
        // The port embeds into z_dim (its class_embed_dim is unused), and the condition is [z, embedding].
        _classEmbedding = nn.Linear(config.ClassCount, config.LatentSize, hasBias: false);
        _synthesis = new BigGanDeepSynthesis(config);
        register_module("embeddings", _classEmbedding);
        register_module("generator", _synthesis);

        // The weights live as long as the network, not as long as whatever dispose scope the caller is in.
        foreach (var (_, parameter) in named_parameters())
        {
            parameter.DetachFromDisposeScope();
        }
        foreach (var (_, buffer) in named_buffers())
        {
            buffer.DetachFromDisposeScope();
        }
    }

    /// <summary>The architecture.</summary>
    public BigGanDeepConfig Config { get; }

    /// <summary>latents [N, d], class vectors [N, K] (one-hot or mixes) → images [N, 3, S, S] in [-1, 1].</summary>
    public Tensor Forward(Tensor latents, Tensor classVectors)
    {
        using var scope = torch.NewDisposeScope();
        var embedding = _classEmbedding.forward(classVectors);          // [N, d]
        var condition = torch.cat([latents, embedding], dim: 1);       // [N, 2d]
        return _synthesis.Forward(condition).MoveToOuterDisposeScope();
    }

    /// <summary>Points every batch norm at the statistics for <paramref name="truncation"/> in (0, 1].</summary>
    public void SelectTruncation(double truncation)
    {
        foreach (var (_, module) in named_modules())
        {
            if (module is TruncationStatisticsBatchNorm norm)
            {
                norm.SelectTruncation(truncation);
            }
        }
    }

    /// <summary>Recomputes every spectrally normalised weight from its stored tensors (after loading).</summary>
    public void RefreshSpectralNormWeights()
    {
        foreach (var (_, module) in named_modules())
        {
            if (module is SpectralNormLayer layer)
            {
                layer.RefreshEffectiveWeight();
            }
        }
    }
}

/// <summary>
/// The port's `generator` module: condition [N, 2d] → linear to a 4×4 map of 16·ch channels → residual blocks (with
/// self-attention before one of them) → batch norm, ReLU, 3×3 conv → first 3 channels → tanh.
/// </summary>
public sealed class BigGanDeepSynthesis : PortLayoutModule
{
    private readonly int _channelWidth;
    private readonly SpectralNormLinear _latentProjection;
    private readonly ModuleList<nn.Module> _layers;
    private readonly AffineBatchNorm _finalNorm;
    private readonly SpectralNormConv2d _toRgb;

    /// <summary>Creates the synthesis network for <paramref name="config"/>.</summary>
    public BigGanDeepSynthesis(BigGanDeepConfig config) : base(nameof(BigGanDeepSynthesis))
    {
        _channelWidth = config.ChannelWidth;
        _latentProjection = new SpectralNormLinear(config.ConditionSize, 4 * 4 * 16 * config.ChannelWidth, hasBias: true);
        var layers = new List<nn.Module>();
        for (var index = 0; index < config.Blocks.Count; index++)
        {
            var block = config.Blocks[index];
            if (index == config.AttentionBlockIndex)
            {
                layers.Add(new SelfAttention(config.ChannelWidth * block.InputWidthMultiple));
            }
            layers.Add(new GeneratorBlock(
                config.ChannelWidth * block.InputWidthMultiple,
                config.ChannelWidth * block.OutputWidthMultiple,
                block.UpSample,
                config.ConditionSize,
                config.StatisticsCount,
                config.Epsilon));
        }
        _layers = nn.ModuleList(layers.ToArray());
        _finalNorm = new AffineBatchNorm(config.ChannelWidth, config.StatisticsCount, config.Epsilon);
        _toRgb = new SpectralNormConv2d(config.ChannelWidth, config.ChannelWidth, kernelSize: 3, hasBias: true);
        register_module("gen_z", _latentProjection);
        register_module("layers", _layers);
        register_module("bn", _finalNorm);
        register_module("conv_to_rgb", _toRgb);
    }

    /// <summary>condition [N, 2d] → images [N, 3, S, S] in [-1, 1].</summary>
    public Tensor Forward(Tensor condition)
    {
        using var scope = torch.NewDisposeScope();
        // The projection's outputs are laid out height, width, channels (the TensorFlow original's order).
        var features = _latentProjection.Forward(condition)
            .view(-1, 4, 4, 16 * _channelWidth)                       // [N, 4, 4, 16ch]
            .permute(0, 3, 1, 2)
            .contiguous();                                            // [N, 16ch, 4, 4]
        foreach (var layer in _layers)
        {
            features = layer switch
            {
                GeneratorBlock block => block.Forward(features, condition),
                SelfAttention attention => attention.Forward(features),
                _ => throw new InvalidOperationException($"unexpected layer {layer.GetType().Name}"),
            };
        }
        features = nn.functional.relu(_finalNorm.Forward(features));  // [N, ch, S, S]
        var rgb = _toRgb.Forward(features)[.., ..3];                  // [N, 3, S, S]
        return torch.tanh(rgb).MoveToOuterDisposeScope();
    }
}
