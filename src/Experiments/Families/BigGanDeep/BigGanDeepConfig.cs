using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.ModelFiles;
using System.Text.Json;

namespace Steerability.Experiments.Families.BigGanDeep;

/// <summary>One residual block of the generator: whether it doubles the resolution, and its in/out channels as multiples of the channel width.</summary>
public readonly record struct BigGanDeepBlockLayout(bool UpSample, int InputWidthMultiple, int OutputWidthMultiple);

/// <summary>A BigGAN-deep architecture as described by the pytorch-pretrained-BigGAN port's config.json.</summary>
public sealed record BigGanDeepConfig
{
    /// <summary>Side of the square output image (output_dim), e.g. 128.</summary>
    public required int OutputSize { get; init; }

    /// <summary>Size of the latent z (z_dim); the class embedding has the same size in the port.</summary>
    public required int LatentSize { get; init; }

    /// <summary>Base channel count (channel_width): 128 in the published models.</summary>
    public required int ChannelWidth { get; init; }

    /// <summary>Number of classes (num_classes), 1000 for ImageNet.</summary>
    public required int ClassCount { get; init; }

    /// <summary>The residual blocks in order (layers).</summary>
    public required IReadOnlyList<BigGanDeepBlockLayout> Blocks { get; init; }

    /// <summary>Index of the block that self-attention is placed before (attention_layer_position).</summary>
    public int AttentionBlockIndex { get; init; } = 8;

    /// <summary>Batch-norm epsilon (eps).</summary>
    public double Epsilon { get; init; } = 1e-4;

    /// <summary>Number of truncation values the batch-norm statistics were precomputed for (n_stats).</summary>
    public int StatisticsCount { get; init; } = 51;

    /// <summary>Size of the vector every conditional batch norm reads: z concatenated with the class embedding.</summary>
    public int ConditionSize => LatentSize * 2;

    /// <summary>Reads config.json; any missing or malformed field gives a <see cref="ModelFileException"/>.</summary>
    public static BigGanDeepConfig FromJsonFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFileException(path, "file not found");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException error)
        {
            throw new ModelFileException(path, $"not a JSON config ({error.Message})", error);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFileException(path, "not a JSON object");
            }
            try
            {
                var config = new BigGanDeepConfig
                {
                    OutputSize = RequiredInt(path, root, "output_dim"),
                    LatentSize = RequiredInt(path, root, "z_dim"),
                    ChannelWidth = RequiredInt(path, root, "channel_width"),
                    ClassCount = RequiredInt(path, root, "num_classes"),
                    Blocks = ParseBlocks(path, root),
                    AttentionBlockIndex = root.TryGetProperty("attention_layer_position", out var attention) ? attention.GetInt32() : 8,
                    Epsilon = root.TryGetProperty("eps", out var epsilon) ? epsilon.GetDouble() : 1e-4,
                    StatisticsCount = root.TryGetProperty("n_stats", out var statistics) ? statistics.GetInt32() : 51,
                };
                config.Validate(path);
                return config;
            }
            catch (Exception error) when (error is InvalidOperationException or FormatException)
            {
                throw new ModelFileException(path, $"malformed config ({error.Message})", error);
            }
        }
    }

    /// <summary>Checks that the blocks really produce an image of <see cref="OutputSize"/> and the counts are usable.</summary>
    public void Validate(string path)
    {
        if (LatentSize <= 0 || ChannelWidth <= 0 || ClassCount <= 0 || StatisticsCount < 2 || Blocks.Count == 0)
        {
            throw new ModelFileException(path, "config has a non-positive size, fewer than 2 statistics, or no layers");
        }
        var upSamplings = Blocks.Count(block => block.UpSample);
        if (4 << upSamplings != OutputSize)
        {
            throw new ModelFileException(path, $"config layers up-sample 4×4 to {4 << upSamplings}×{4 << upSamplings}, but output_dim is {OutputSize}");
        }
        if (Blocks[0].InputWidthMultiple != 16)
        {
            throw new ModelFileException(path, "config's first layer must take 16 × channel_width channels (the 4×4 input)");
        }
        if (Blocks[^1].OutputWidthMultiple != 1)
        {
            throw new ModelFileException(path, "config's last layer must give 1 × channel_width channels");
        }
    }

    private static int RequiredInt(string path, JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt32()
            : throw new ModelFileException(path, $"config field '{name}' is missing or not a number");

    private static List<BigGanDeepBlockLayout> ParseBlocks(string path, JsonElement root)
    {
        if (!root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
        {
            throw new ModelFileException(path, "config field 'layers' is missing or not a list");
        }
        var blocks = new List<BigGanDeepBlockLayout>();
        foreach (var layer in layers.EnumerateArray())
        {
            // Each layer is [up_sample, in_multiple, out_multiple].
            if (layer.ValueKind != JsonValueKind.Array || layer.GetArrayLength() != 3)
            {
                throw new ModelFileException(path, "config 'layers' entries must be [up_sample, in, out]");
            }
            blocks.Add(new BigGanDeepBlockLayout(layer[0].GetBoolean(), layer[1].GetInt32(), layer[2].GetInt32()));
        }
        return blocks;
    }
}
