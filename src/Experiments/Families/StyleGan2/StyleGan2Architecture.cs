using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// Finds a generator's <see cref="StyleGan2Config"/>: from the `_init_kwargs` a network pickle stores, or from the
/// key names and shapes of a state dict. Refuses, with one line, what is not a StyleGAN2 `skip` generator
/// (StyleGAN3's Fourier-feature input, the `orig` and `resnet` architectures, settings this port does not build).
/// </summary>
public static partial class StyleGan2Architecture
{
    private static readonly string[] GeneratorArgumentOrder = ["z_dim", "c_dim", "w_dim", "img_resolution", "img_channels", "mapping_kwargs", "synthesis_kwargs"];

    /// <summary>Keyword arguments that only StyleGAN3's synthesis network takes.</summary>
    private static readonly HashSet<string> StyleGan3Settings = new(StringComparer.Ordinal)
    {
        "num_layers", "num_critical", "first_cutoff", "first_stopband", "last_stopband_rel", "margin_size", "output_scale",
        "conv_kernel", "filter_size", "lrelu_upsampling", "use_radial_filters", "magnitude_ema_beta",
    };

    /// <summary>The architecture of the pickled generator <paramref name="generator"/> (its class, its children and its `_init_kwargs`).</summary>
    internal static StyleGan2Config FromPickledGenerator(string path, PersistentModule generator)
    {
        RefuseStyleGan3(path, generator);
        if (generator.ClassName != "Generator")
        {
            throw new ModelFileException(path, $"G_ema is a {generator.ClassName}, not a stylegan2-ada-pytorch Generator");
        }
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var index = 0; index < generator.InitArgs.Count && index < GeneratorArgumentOrder.Length; index++)
        {
            arguments[GeneratorArgumentOrder[index]] = generator.InitArgs[index];
        }
        foreach (var (key, value) in generator.InitKwargs)
        {
            arguments[key as string ?? throw new ModelFileException(path, "Generator _init_kwargs has a key that is not a string")] = value;
        }
        var mapping = Kwargs(path, arguments, "mapping_kwargs");
        var synthesis = Kwargs(path, arguments, "synthesis_kwargs");
        foreach (var key in arguments.Keys.Where(key => !GeneratorArgumentOrder.Contains(key)))
        {
            throw new ModelFileException(path, $"Generator _init_kwargs has '{key}', which stylegan2-ada-pytorch's Generator does not take");
        }
        foreach (var key in synthesis.Keys.Where(StyleGan3Settings.Contains))
        {
            throw new ModelFileException(path, $"is a StyleGAN3 generator (synthesis_kwargs has '{key}'); only StyleGAN2 (stylegan2-ada-pytorch) networks are supported");
        }

        var config = new StyleGan2Config
        {
            LatentSize = Integer(path, arguments, "z_dim", null),
            ClassCount = Integer(path, arguments, "c_dim", null),
            StyleSize = Integer(path, arguments, "w_dim", null),
            Resolution = Integer(path, arguments, "img_resolution", null),
            ImageChannels = Integer(path, arguments, "img_channels", null),
            MappingLayers = Integer(path, mapping, "num_layers", 8, "mapping_kwargs."),
            EmbedFeatures = OptionalInteger(path, mapping, "embed_features", "mapping_kwargs."),
            LayerFeatures = OptionalInteger(path, mapping, "layer_features", "mapping_kwargs."),
            MappingLearningRateMultiplier = Number(path, mapping, "lr_multiplier", "mapping_kwargs.") ?? 0.01,
            ChannelBase = Integer(path, synthesis, "channel_base", 32768, "synthesis_kwargs."),
            ChannelMax = Integer(path, synthesis, "channel_max", 512, "synthesis_kwargs."),
            Fp16Resolutions = Integer(path, synthesis, "num_fp16_res", 0, "synthesis_kwargs."),
            ConvClamp = Number(path, synthesis, "conv_clamp", "synthesis_kwargs."),
            UseNoise = synthesis.GetValueOrDefault("use_noise") is not false,
        };
        CheckSetting(path, mapping, "mapping_kwargs.", "activation", "lrelu");
        if (mapping.TryGetValue("w_avg_beta", out var beta) && beta is null)
        {
            throw new ModelFileException(path, "mapping_kwargs.w_avg_beta is None: the generator tracks no w_avg, so it cannot truncate");
        }
        CheckSetting(path, synthesis, "synthesis_kwargs.", "architecture", "skip");
        CheckSetting(path, synthesis, "synthesis_kwargs.", "activation", "lrelu");
        CheckSetting(path, synthesis, "synthesis_kwargs.", "kernel_size", 3L);
        if (synthesis.TryGetValue("resample_filter", out var filter) && !IsDefaultFilter(filter))
        {
            throw new ModelFileException(path, "synthesis_kwargs.resample_filter is not [1, 3, 3, 1], the only filter this port builds");
        }
        var known = new HashSet<string>(StringComparer.Ordinal) { "num_layers", "embed_features", "layer_features", "lr_multiplier", "w_avg_beta", "activation" };
        RefuseUnknown(path, mapping, "mapping_kwargs.", known);
        known = ["channel_base", "channel_max", "num_fp16_res", "conv_clamp", "use_noise", "architecture", "activation", "kernel_size", "resample_filter", "fp16_channels_last", "channels_last"];
        RefuseUnknown(path, synthesis, "synthesis_kwargs.", known);
        return Checked(path, config);
    }

    /// <summary>
    /// Infers the architecture from a state dict with the official names (G_ema's `state_dict()`): sizes, mapping
    /// depth, classes, channels per resolution. What the weights cannot show comes from <paramref name="convClamp"/>
    /// (synthesis_kwargs.conv_clamp, not stored in the weights) and NVIDIA's defaults (mapping lr_multiplier 0.01).
    /// </summary>
    public static StyleGan2Config InferFromStateDict(string path, IReadOnlyDictionary<string, Tensor> tensors, double? convClamp = null)
    {
        if (tensors.Keys.Any(key => key.StartsWith("synthesis.input.", StringComparison.Ordinal)))
        {
            throw new ModelFileException(path, "is a StyleGAN3 generator (it has synthesis.input.*, the Fourier-feature input); only StyleGAN2 networks are supported");
        }
        var styleAverage = Required(path, tensors, "mapping.w_avg");
        var fc0 = Required(path, tensors, "mapping.fc0.weight");
        var mappingLayers = 0;
        while (tensors.ContainsKey($"mapping.fc{mappingLayers}.weight"))
        {
            mappingLayers++;
        }
        var embed = tensors.GetValueOrDefault("mapping.embed.weight");
        var classCount = embed is null ? 0 : (int)embed.shape[1];
        var embedSize = embed is null ? 0 : (int)embed.shape[0];
        var styleSize = (int)styleAverage.shape[0];

        var resolutions = tensors.Keys
            .Select(key => BlockName().Match(key))
            .Where(match => match.Success)
            .Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture))
            .Distinct()
            .Order()
            .ToList();
        if (resolutions.Count == 0 || resolutions[0] != 4)
        {
            throw new ModelFileException(path, "has no synthesis.b4.* keys: not a StyleGAN2 generator state dict (expected G_ema's state_dict with the official names)");
        }
        var resolution = resolutions[^1];
        if (tensors.Keys.Any(key => SkipName().IsMatch(key)))
        {
            throw new ModelFileException(path, "has synthesis.b*.skip.* keys: a 'resnet' synthesis architecture; only 'skip' (the released models') is supported");
        }
        if (resolutions.Count > 1 && !tensors.ContainsKey("synthesis.b4.torgb.weight"))
        {
            throw new ModelFileException(path, "has a ToRGB layer only in the last block: an 'orig' synthesis architecture; only 'skip' (the released models') is supported");
        }
        var channels = resolutions.ToDictionary(block => block, block => (int)Required(path, tensors, $"synthesis.b{block}.conv1.weight").shape[0]);
        var channelMax = channels.Values.Max();
        var channelBase = channels.Where(pair => pair.Value < channelMax).Select(pair => pair.Key * pair.Value).DefaultIfEmpty(channelMax * resolution).Max();

        var config = new StyleGan2Config
        {
            LatentSize = (int)fc0.shape[1] - embedSize,
            ClassCount = classCount,
            StyleSize = styleSize,
            Resolution = resolution,
            ImageChannels = (int)Required(path, tensors, $"synthesis.b{resolution}.torgb.weight").shape[0],
            MappingLayers = mappingLayers,
            // Widths equal to w_dim are NVIDIA's defaults (None); keeping them null makes the config equal to the pickled one.
            EmbedFeatures = classCount == 0 || embedSize == styleSize ? null : embedSize,
            LayerFeatures = mappingLayers > 1 && fc0.shape[0] != styleSize ? (int)fc0.shape[0] : null,
            ChannelBase = channelBase,
            ChannelMax = channelMax,
            ConvClamp = convClamp,
            UseNoise = tensors.ContainsKey("synthesis.b4.conv1.noise_strength"),
        };
        foreach (var (block, count) in channels)
        {
            if (config.Channels(block) != count)
            {
                throw new ModelFileException(path,
                    $"block b{block} has {count} channels, which no channel_base/channel_max gives together with the other blocks ({string.Join(", ", channels.Select(pair => $"b{pair.Key}: {pair.Value}"))})");
            }
        }
        return Checked(path, config);
    }

    private static StyleGan2Config Checked(string path, StyleGan2Config config)
    {
        var problem = config.Problem();
        return problem is null ? config : throw new ModelFileException(path, $"architecture cannot be built: {problem}");
    }

    /// <summary>StyleGAN3 (T and R) starts synthesis from Fourier features (`synthesis.input`, with buffers freqs and phases).</summary>
    private static void RefuseStyleGan3(string path, PersistentModule generator)
    {
        var synthesis = generator.Find("synthesis");
        var input = synthesis?.Modules.FirstOrDefault(child =>
            child.Key == "input" || child.Value.ClassName == "SynthesisInput" || child.Value.Buffers.ContainsKey("freqs"));
        if (input is { Value: { } module })
        {
            var fourier = module.Buffers.ContainsKey("freqs") && module.Buffers.ContainsKey("phases") ? ", with buffers freqs and phases" : "";
            throw new ModelFileException(path,
                $"is a StyleGAN3 generator (synthesis.{input.Value.Key} is a {module.ClassName}{fourier}: the Fourier-feature input of StyleGAN3-T/R); only StyleGAN2 (stylegan2-ada-pytorch) networks are supported");
        }
    }

    private static Tensor Required(string path, IReadOnlyDictionary<string, Tensor> tensors, string key) =>
        tensors.TryGetValue(key, out var tensor)
            ? tensor
            : throw new ModelFileException(path, $"has no key '{key}': not a StyleGAN2 generator state dict (expected G_ema's state_dict with the official names)");

    private static Dictionary<string, object?> Kwargs(string path, Dictionary<string, object?> arguments, string name)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        switch (arguments.GetValueOrDefault(name))
        {
            case null:
                return result;
            case Dictionary<object, object?> dictionary:
                foreach (var (key, value) in dictionary)
                {
                    result[key as string ?? throw new ModelFileException(path, $"Generator {name} has a key that is not a string")] = value;
                }
                return result;
            default:
                throw new ModelFileException(path, $"Generator {name} is not a dict");
        }
    }

    private static int Integer(string path, IReadOnlyDictionary<string, object?> arguments, string key, int? fallback, string prefix = "")
    {
        if (!arguments.TryGetValue(key, out var value) || value is null)
        {
            return fallback ?? throw new ModelFileException(path, $"Generator _init_kwargs has no {prefix}{key}");
        }
        return value switch
        {
            long number and >= int.MinValue and <= int.MaxValue => (int)number,
            double number when number == Math.Floor(number) && Math.Abs(number) < int.MaxValue => (int)number,
            _ => throw new ModelFileException(path, $"Generator {prefix}{key} is {Describe(value)}, not an integer"),
        };
    }

    private static int? OptionalInteger(string path, IReadOnlyDictionary<string, object?> arguments, string key, string prefix) =>
        arguments.TryGetValue(key, out var value) && value is not null ? Integer(path, arguments, key, null, prefix) : null;

    private static double? Number(string path, IReadOnlyDictionary<string, object?> arguments, string key, string prefix) =>
        arguments.GetValueOrDefault(key) switch
        {
            null => null,
            long number => number,
            double number => number,
            BigInteger number => (double)number,
            var other => throw new ModelFileException(path, $"Generator {prefix}{key} is {Describe(other)}, not a number"),
        };

    private static void CheckSetting(string path, IReadOnlyDictionary<string, object?> arguments, string prefix, string key, object accepted)
    {
        if (arguments.TryGetValue(key, out var value) && !Equals(value, accepted))
        {
            throw new ModelFileException(path, $"Generator {prefix}{key} is '{value}'; this port builds only '{accepted}' (the released StyleGAN2 models')");
        }
    }

    private static void RefuseUnknown(string path, IReadOnlyDictionary<string, object?> arguments, string prefix, HashSet<string> known)
    {
        foreach (var key in arguments.Keys.Where(key => !known.Contains(key)))
        {
            throw new ModelFileException(path, $"Generator {prefix}{key} is a setting this StyleGAN2 port does not know (known: {string.Join(", ", known)})");
        }
    }

    private static bool IsDefaultFilter(object? filter)
    {
        var taps = filter switch
        {
            List<object?> list => list,
            object?[] tuple => tuple.ToList(),
            _ => null,
        };
        return taps is { Count: 4 } && taps.Select(tap => tap switch { long number => number, double number => number, _ => double.NaN })
            .SequenceEqual([1.0, 3.0, 3.0, 1.0]);
    }

    private static string Describe(object? value) => NvidiaNetworkPickle.Describe(value);

    [GeneratedRegex(@"^synthesis\.b(\d+)\.")]
    private static partial Regex BlockName();

    [GeneratedRegex(@"^synthesis\.b\d+\.skip\.")]
    private static partial Regex SkipName();
}
