using Steerability.Experiments.Generators;
namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// The architecture of a stylegan2-ada-pytorch generator, in the terms of its `Generator(**kwargs)` (the defaults are
/// NVIDIA's). Only the `skip` synthesis architecture with 3×3 convolutions, the [1,3,3,1] filter and leaky ReLU, the
/// one NVIDIA released, is built.
/// </summary>
public sealed record StyleGan2Config
{
    /// <summary>Dimension of z (z_dim).</summary>
    public required int LatentSize { get; init; }

    /// <summary>Number of classes c_dim (0: unconditional; otherwise `mapping.embed` exists).</summary>
    public int ClassCount { get; init; }

    /// <summary>Dimension of w (w_dim).</summary>
    public required int StyleSize { get; init; }

    /// <summary>Output side in pixels (img_resolution), a power of two ≥ 4.</summary>
    public required int Resolution { get; init; }

    /// <summary>Output channels (img_channels).</summary>
    public int ImageChannels { get; init; } = 3;

    /// <summary>Fully connected layers of the mapping network (mapping_kwargs.num_layers).</summary>
    public int MappingLayers { get; init; } = 8;

    /// <summary>Label embedding width (mapping_kwargs.embed_features); null: w_dim.</summary>
    public int? EmbedFeatures { get; init; }

    /// <summary>Hidden width of the mapping layers (mapping_kwargs.layer_features); null: w_dim.</summary>
    public int? LayerFeatures { get; init; }

    /// <summary>The mapping layers' learning-rate multiplier (mapping_kwargs.lr_multiplier), applied to weights and biases at run time.</summary>
    public double MappingLearningRateMultiplier { get; init; } = 0.01;

    /// <summary>synthesis_kwargs.channel_base: a block at resolution r has min(channel_base / r, channel_max) channels.</summary>
    public int ChannelBase { get; init; } = 32768;

    /// <summary>synthesis_kwargs.channel_max.</summary>
    public int ChannelMax { get; init; } = 512;

    /// <summary>synthesis_kwargs.num_fp16_res: kept for reference only; those blocks are computed in float32 here (as force_fp32 does).</summary>
    public int Fp16Resolutions { get; init; }

    /// <summary>synthesis_kwargs.conv_clamp: every convolution's output is clamped to ±this (null: no clamp).</summary>
    public double? ConvClamp { get; init; }

    /// <summary>Whether the synthesis layers have noise inputs (noise_const, noise_strength).</summary>
    public bool UseNoise { get; init; } = true;

    /// <summary>Width of the label embedding (0 when unconditional).</summary>
    public int EmbedSize => ClassCount == 0 ? 0 : EmbedFeatures ?? StyleSize;

    /// <summary>Hidden width of the mapping layers.</summary>
    public int MappingHiddenSize => LayerFeatures ?? StyleSize;

    /// <summary>Resolutions of the synthesis blocks: 4, 8, …, <see cref="Resolution"/>.</summary>
    public IReadOnlyList<int> BlockResolutions =>
        Enumerable.Range(2, (int)Math.Log2(Resolution) - 1).Select(power => 1 << power).ToArray();

    /// <summary>Channels of the block at <paramref name="resolution"/>.</summary>
    public int Channels(int resolution) => Math.Min(ChannelBase / resolution, ChannelMax);

    /// <summary>Number of ws the synthesis takes: one per convolution plus the last ToRGB (a block's ToRGB shares the next block's first w).</summary>
    public int WsCount => 1 + 2 * (BlockResolutions.Count - 1) + 1;

    /// <summary>What is wrong with this architecture, or null when it can be built.</summary>
    public string? Problem()
    {
        if (LatentSize < 1 && ClassCount < 1)
        {
            return $"z_dim {LatentSize} and c_dim {ClassCount}: a generator needs a latent or a label";
        }
        if (LatentSize < 0 || ClassCount < 0 || StyleSize < 1 || ImageChannels < 1 || MappingLayers < 1)
        {
            return $"z_dim {LatentSize}, c_dim {ClassCount}, w_dim {StyleSize}, img_channels {ImageChannels}, mapping layers {MappingLayers}: each must be positive (z_dim, c_dim ≥ 0)";
        }
        if (Resolution < 4 || (Resolution & (Resolution - 1)) != 0)
        {
            return $"img_resolution {Resolution} is not a power of two ≥ 4";
        }
        if (ChannelBase < 1 || ChannelMax < 1 || BlockResolutions.Any(resolution => Channels(resolution) < 1))
        {
            return $"channel_base {ChannelBase} and channel_max {ChannelMax} give a block without channels";
        }
        if (ConvClamp is < 0)
        {
            return $"conv_clamp {ConvClamp} is negative";
        }
        if (!(MappingLearningRateMultiplier > 0))
        {
            return $"mapping lr_multiplier {MappingLearningRateMultiplier} is not positive";
        }
        return null;
    }
}
