using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// Infers a BigGAN layout from the names and shapes in a state dict alone, so that a file from BigGAN-PyTorch (128,
/// 256, 512 or any other width) needs no config: `shared.weight` gives the classes and embedding size,
/// `linear.weight` the latent chunk and the bottom width, `blocks.i.0.conv1.weight` each block's channels and kernel,
/// and `blocks.i.1.gamma` where self-attention is. Every other tensor is then checked against the inferred layout by
/// <see cref="BigGanLoader"/>.
/// </summary>
public static class BigGanLayoutInference
{
    /// <summary>
    /// The layout of the state dict whose tensor shapes are <paramref name="shapes"/>; <paramref name="source"/> names
    /// the file in messages. Epsilons are those of the TF-Hub converter's configurations (BN_eps and SN_eps 1e-4).
    /// </summary>
    public static BigGanConfig Infer(string source, IReadOnlyDictionary<string, long[]> shapes)
    {
        if (!shapes.ContainsKey("shared.weight") && shapes.ContainsKey("embeddings.weight"))
        {
            throw new ModelFileException(source, "has no key 'shared.weight' but 'embeddings.weight': this looks like a BigGAN-deep (pytorch-pretrained-BigGAN) file, not a BigGAN-PyTorch generator");
        }
        var shared = Shape(source, shapes, "shared.weight", rank: 2, "[classes, shared_dim]");
        var linear = Shape(source, shapes, "linear.weight", rank: 2, "[channels·width², z chunk]");

        var blocks = new List<BigGanBlockLayout>();
        var attentionBlocks = new HashSet<int>();
        var kernelSize = 0L;
        for (var index = 0; shapes.ContainsKey($"blocks.{index}.0.conv1.weight"); index++)
        {
            var convolution = Shape(source, shapes, $"blocks.{index}.0.conv1.weight", rank: 4, "[out, in, k, k]");
            if (index == 0)
            {
                kernelSize = convolution[2];
            }
            blocks.Add(new BigGanBlockLayout(checked((int)convolution[1]), checked((int)convolution[0])));
            if (shapes.ContainsKey($"blocks.{index}.1.gamma"))
            {
                attentionBlocks.Add(index);
            }
        }
        if (blocks.Count == 0)
        {
            throw new ModelFileException(source, "missing key 'blocks.0.0.conv1.weight' (a BigGAN-PyTorch generator has one residual block per resolution)");
        }

        // linear maps chunk 0 to a width × width map of the first block's input channels.
        var bottomCells = linear[0] / blocks[0].InputChannels;
        var bottomWidth = (long)Math.Round(Math.Sqrt(bottomCells));
        if (bottomCells * blocks[0].InputChannels != linear[0] || bottomWidth * bottomWidth != bottomCells)
        {
            throw new ModelFileException(source, $"key 'linear.weight' has {linear[0]} outputs; expected {blocks[0].InputChannels} (the channels of blocks.0.0.conv1.weight) × a square width");
        }
        var config = new BigGanConfig
        {
            BottomWidth = (int)bottomWidth,
            Blocks = blocks,
            AttentionBlocks = attentionBlocks,
            LatentChunkSize = checked((int)linear[1]),
            SharedEmbeddingSize = checked((int)shared[1]),
            ClassCount = checked((int)shared[0]),
            KernelSize = checked((int)kernelSize),
        };
        config.Validate(source);
        return config;
    }

    private static long[] Shape(string source, IReadOnlyDictionary<string, long[]> shapes, string key, int rank, string expected)
    {
        if (!shapes.TryGetValue(key, out var shape))
        {
            throw new ModelFileException(source, $"missing key '{key}' (expected {expected}): not a BigGAN-PyTorch generator state dict");
        }
        if (shape.Length != rank)
        {
            throw new ModelFileException(source, $"key '{key}' has shape [{string.Join(", ", shape)}]; expected {expected}");
        }
        return shape;
    }
}
