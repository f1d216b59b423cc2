using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using System.Text.Json;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// Reads a BigGAN layout from a JSON file of BigGAN-PyTorch Generator constructor arguments (G_ch, dim_z, resolution,
/// G_attn, n_classes, shared_dim, ...): either the arguments themselves, as the TF-Hub converter's get_config returns
/// them, or an object holding them under `constructor_args`. Missing arguments take the constructor's defaults.
/// </summary>
public static class BigGanConfigFile
{
    /// <summary>
    /// Channel multipliers (of G_ch) of each block's input and output, per resolution: BigGAN-PyTorch's G_arch
    /// (bottom width 4; block i outputs 8·2^i pixels).
    /// </summary>
    private static readonly Dictionary<int, (int[] Inputs, int[] Outputs)> ChannelMultiples = new()
    {
        [32] = ([4, 4, 4], [4, 4, 4]),
        [64] = ([16, 16, 8, 4], [16, 8, 4, 2]),
        [128] = ([16, 16, 8, 4, 2], [16, 8, 4, 2, 1]),
        [256] = ([16, 16, 8, 8, 4, 2], [16, 8, 8, 4, 2, 1]),
        [512] = ([16, 16, 8, 8, 4, 2, 1], [16, 8, 8, 4, 2, 1, 1]),
    };

    /// <summary>Reads <paramref name="path"/>; anything missing, malformed or unsupported gives a one-line <see cref="ModelFileException"/>.</summary>
    public static BigGanConfig Read(string path)
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
            if (root.TryGetProperty("constructor_args", out var arguments))
            {
                if (arguments.ValueKind != JsonValueKind.Object)
                {
                    throw new ModelFileException(path, "config field 'constructor_args' is not an object");
                }
                root = arguments;
            }
            try
            {
                return FromConstructorArguments(path, root);
            }
            catch (Exception error) when (error is InvalidOperationException or FormatException)
            {
                throw new ModelFileException(path, $"malformed config ({error.Message})", error);
            }
        }
    }

    private static BigGanConfig FromConstructorArguments(string path, JsonElement arguments)
    {
        // Only the form every published generator has is built: anything else would load under the wrong names.
        Require(path, arguments, "hier", true, defaultValue: false);
        Require(path, arguments, "G_shared", true, defaultValue: true);
        Require(path, arguments, "mybn", false, defaultValue: false);
        Require(path, arguments, "cross_replica", false, defaultValue: false);
        RequireText(path, arguments, "G_param", "SN");
        RequireText(path, arguments, "norm_style", "bn");

        var channelWidth = RequiredInt(path, arguments, "G_ch");
        var resolution = RequiredInt(path, arguments, "resolution");
        var latentSize = RequiredInt(path, arguments, "dim_z");
        if (!ChannelMultiples.TryGetValue(resolution, out var multiples))
        {
            throw new ModelFileException(path, $"config 'resolution' is {resolution}; BigGAN-PyTorch's layouts are {string.Join(", ", ChannelMultiples.Keys)}");
        }
        var blocks = multiples.Inputs.Zip(multiples.Outputs, (input, output) => new BigGanBlockLayout(channelWidth * input, channelWidth * output)).ToList();
        var attentionResolutions = ParseAttention(path, arguments);
        var attentionBlocks = Enumerable.Range(0, blocks.Count).Where(index => attentionResolutions.Contains(8 << index)).ToHashSet();
        var sharedSize = OptionalInt(arguments, "shared_dim", 0);
        var config = new BigGanConfig
        {
            BottomWidth = OptionalInt(arguments, "bottom_width", 4),
            Blocks = blocks,
            AttentionBlocks = attentionBlocks,
            // As the original: dim_z is rounded down to a multiple of the number of slots.
            LatentChunkSize = latentSize / (blocks.Count + 1),
            // shared_dim 0 means "as big as z".
            SharedEmbeddingSize = sharedSize > 0 ? sharedSize : latentSize,
            ClassCount = RequiredInt(path, arguments, "n_classes"),
            KernelSize = OptionalInt(arguments, "G_kernel_size", 3),
            BatchNormEpsilon = OptionalDouble(arguments, "BN_eps", 1e-5),
            SpectralNormEpsilon = OptionalDouble(arguments, "SN_eps", 1e-12),
        };
        config.Validate(path);
        return config;
    }

    /// <summary>G_attn: resolutions joined by '_' (e.g. "64", "64_128"); "0" for none.</summary>
    private static HashSet<int> ParseAttention(string path, JsonElement arguments)
    {
        var text = arguments.TryGetProperty("G_attn", out var value) ? value.ToString() : "64";
        var resolutions = new HashSet<int>();
        foreach (var part in text.Split('_'))
        {
            if (!int.TryParse(part, out var resolution))
            {
                throw new ModelFileException(path, $"config 'G_attn' is \"{text}\"; expected resolutions joined by '_', e.g. \"64\"");
            }
            resolutions.Add(resolution);
        }
        return resolutions;
    }

    private static void Require(string path, JsonElement arguments, string name, bool expected, bool defaultValue)
    {
        var present = arguments.TryGetProperty(name, out var value);
        if (present && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw new ModelFileException(path, $"config field '{name}' is not true or false");
        }
        var actual = present ? value.GetBoolean() : defaultValue;
        if (actual != expected)
        {
            var origin = present ? "" : " (the constructor's default)";
            throw new ModelFileException(path, $"config '{name}' is {Lower(actual)}{origin}; only {Lower(expected)} is supported (the layout of the published generators)");
        }
    }

    private static string Lower(bool value) => value ? "true" : "false";

    private static void RequireText(string path, JsonElement arguments, string name, string expected)
    {
        if (arguments.TryGetProperty(name, out var value) && value.ToString() != expected)
        {
            throw new ModelFileException(path, $"config '{name}' is \"{value}\"; only \"{expected}\" is supported (the layout of the published generators)");
        }
    }

    private static int RequiredInt(string path, JsonElement arguments, string name) =>
        arguments.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetInt32()
            : throw new ModelFileException(path, $"config field '{name}' is missing or not a number");

    private static int OptionalInt(JsonElement arguments, string name, int defaultValue) =>
        arguments.TryGetProperty(name, out var value) ? value.GetInt32() : defaultValue;

    private static double OptionalDouble(JsonElement arguments, string name, double defaultValue) =>
        arguments.TryGetProperty(name, out var value) ? value.GetDouble() : defaultValue;
}
