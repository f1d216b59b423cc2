using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>One residual block of the BigGAN generator: it doubles the resolution and maps in → out channels.</summary>
public readonly record struct BigGanBlockLayout(int InputChannels, int OutputChannels);

/// <summary>
/// A BigGAN (not deep) generator architecture as BigGAN-PyTorch builds it with a hierarchical latent and a shared class
/// embedding: z is split into <see cref="SlotCount"/> chunks, chunk 0 feeds the first linear layer and chunk i + 1 the
/// conditional batch norms of block i, next to the class embedding.
/// </summary>
public sealed record BigGanConfig
{
    /// <summary>Output channels of the last convolution (RGB).</summary>
    public const int ImageChannels = 3;

    /// <summary>BigGAN-PyTorch's output batch norm keeps its own default epsilon, whatever BN_eps says.</summary>
    public const double OutputBatchNormEpsilon = 1e-5;

    /// <summary>Side of the first feature map the linear layer produces (bottom_width), 4 in every published model.</summary>
    public required int BottomWidth { get; init; }

    /// <summary>The residual blocks in order; each doubles the resolution (all published layouts up-sample in every block).</summary>
    public required IReadOnlyList<BigGanBlockLayout> Blocks { get; init; }

    /// <summary>Indices of the blocks followed by self-attention (blocks.i.1).</summary>
    public required IReadOnlySet<int> AttentionBlocks { get; init; }

    /// <summary>Size of one latent chunk (dim_z / number of slots).</summary>
    public required int LatentChunkSize { get; init; }

    /// <summary>Size of the shared class embedding (shared_dim).</summary>
    public required int SharedEmbeddingSize { get; init; }

    /// <summary>Number of classes (n_classes), 1000 for ImageNet.</summary>
    public required int ClassCount { get; init; }

    /// <summary>Side of the square convolution kernels (G_kernel_size).</summary>
    public int KernelSize { get; init; } = 3;

    /// <summary>Epsilon of the blocks' conditional batch norms (BN_eps; 1e-4 in the TF-Hub converter's configurations).</summary>
    public double BatchNormEpsilon { get; init; } = 1e-4;

    /// <summary>Epsilon of the spectral norm's vector normalisation (SN_eps; 1e-4 in the TF-Hub converter's configurations).</summary>
    public double SpectralNormEpsilon { get; init; } = 1e-4;

    /// <summary>Places z is split into: the linear layer and each block.</summary>
    public int SlotCount => Blocks.Count + 1;

    /// <summary>Size of z (dim_z rounded down to a multiple of <see cref="SlotCount"/>, as the original does).</summary>
    public int LatentSize => LatentChunkSize * SlotCount;

    /// <summary>Size of the vector a conditional batch norm reads: cat(shared(y), z chunk).</summary>
    public int ConditionSize => SharedEmbeddingSize + LatentChunkSize;

    /// <summary>Side of the square output image.</summary>
    public int Resolution => BottomWidth << Blocks.Count;

    /// <summary>Channels of the first feature map (those of the first block's input).</summary>
    public int BottomChannels => Blocks[0].InputChannels;

    /// <summary>Channels the output layer reads (those of the last block's output).</summary>
    public int TopChannels => Blocks[^1].OutputChannels;

    /// <summary>
    /// Every tensor the generator's state dict holds, with its shape, under BigGAN-PyTorch's names (the `sv0` entries
    /// included; see <see cref="IsOptionalKey"/>). The network and the loader's checks both follow this list.
    /// </summary>
    public IReadOnlyList<(string Name, long[] Shape)> StateDictLayout()
    {
        var layout = new List<(string, long[])>
        {
            ("shared.weight", [ClassCount, SharedEmbeddingSize]),
        };
        AddSpectralNorm(layout, "linear", [(long)BottomChannels * BottomWidth * BottomWidth, LatentChunkSize], hasBias: true);
        for (var index = 0; index < Blocks.Count; index++)
        {
            var (input, output) = Blocks[index];
            var prefix = $"blocks.{index}.0";
            AddSpectralNorm(layout, $"{prefix}.conv1", [output, input, KernelSize, KernelSize], hasBias: true);
            AddSpectralNorm(layout, $"{prefix}.conv2", [output, output, KernelSize, KernelSize], hasBias: true);
            AddSpectralNorm(layout, $"{prefix}.conv_sc", [output, input, 1, 1], hasBias: true);
            AddConditionalBatchNorm(layout, $"{prefix}.bn1", input);
            AddConditionalBatchNorm(layout, $"{prefix}.bn2", output);
            if (AttentionBlocks.Contains(index))
            {
                var attention = $"blocks.{index}.1";
                layout.Add(($"{attention}.gamma", []));
                AddSpectralNorm(layout, $"{attention}.theta", [output / 8, output, 1, 1], hasBias: false);
                AddSpectralNorm(layout, $"{attention}.phi", [output / 8, output, 1, 1], hasBias: false);
                AddSpectralNorm(layout, $"{attention}.g", [output / 2, output, 1, 1], hasBias: false);
                AddSpectralNorm(layout, $"{attention}.o", [output, output / 2, 1, 1], hasBias: false);
            }
        }
        layout.Add(("output_layer.0.gain", [TopChannels]));
        layout.Add(("output_layer.0.bias", [TopChannels]));
        layout.Add(("output_layer.0.stored_mean", [TopChannels]));
        layout.Add(("output_layer.0.stored_var", [TopChannels]));
        AddSpectralNorm(layout, "output_layer.2", [ImageChannels, TopChannels, KernelSize, KernelSize], hasBias: true);
        return layout;
    }

    /// <summary>
    /// The `sv0` entries (the last σ seen in training) are optional: the forward pass never reads them, and the TF-Hub
    /// converter does not write them.
    /// </summary>
    public static bool IsOptionalKey(string name) => name.EndsWith(".sv0", StringComparison.Ordinal);

    /// <summary>Checks that the sizes are usable; <paramref name="source"/> names the file in the message.</summary>
    public void Validate(string source)
    {
        if (BottomWidth <= 0 || Blocks.Count == 0 || LatentChunkSize <= 0 || SharedEmbeddingSize <= 0 || ClassCount <= 0 || KernelSize <= 0 || KernelSize % 2 == 0)
        {
            throw new ModelFileException(source, "BigGAN layout has a non-positive size, an even kernel or no blocks");
        }
        for (var index = 0; index < Blocks.Count; index++)
        {
            if (Blocks[index].InputChannels <= 0 || Blocks[index].OutputChannels <= 0)
            {
                throw new ModelFileException(source, $"BigGAN block {index} has a non-positive channel count");
            }
            if (index > 0 && Blocks[index].InputChannels != Blocks[index - 1].OutputChannels)
            {
                throw new ModelFileException(source, $"BigGAN block {index} takes {Blocks[index].InputChannels} channels, but block {index - 1} gives {Blocks[index - 1].OutputChannels}");
            }
        }
        foreach (var index in AttentionBlocks)
        {
            if (index < 0 || index >= Blocks.Count || Blocks[index].OutputChannels % 8 != 0)
            {
                throw new ModelFileException(source, $"BigGAN attention after block {index} needs an existing block with a multiple of 8 channels");
            }
        }
    }

    private void AddConditionalBatchNorm(List<(string, long[])> layout, string prefix, int channels)
    {
        layout.Add(($"{prefix}.stored_mean", [channels]));
        layout.Add(($"{prefix}.stored_var", [channels]));
        AddSpectralNorm(layout, $"{prefix}.gain", [channels, ConditionSize], hasBias: false);
        AddSpectralNorm(layout, $"{prefix}.bias", [channels, ConditionSize], hasBias: false);
    }

    private static void AddSpectralNorm(List<(string, long[])> layout, string prefix, long[] weightShape, bool hasBias)
    {
        layout.Add(($"{prefix}.weight", weightShape));
        if (hasBias)
        {
            layout.Add(($"{prefix}.bias", [weightShape[0]]));
        }
        layout.Add(($"{prefix}.u0", [1, weightShape[0]]));
        layout.Add(($"{prefix}.sv0", [1]));
    }
}
