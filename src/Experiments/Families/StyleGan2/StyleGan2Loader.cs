using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// Builds a frozen <see cref="StyleGan2Network"/> from NVIDIA's `network-snapshot-*.pkl` (read without executing
/// anything) or from a state dict with the official key names (safetensors, torch.save zip or legacy), checking that
/// every key the architecture needs is there with its exact shape and that no other key is.
/// </summary>
public static class StyleGan2Loader
{
    /// <summary>The snapshot entry used by default: the exponential moving average of G, the one NVIDIA's generate.py renders.</summary>
    public const string DefaultNetwork = "G_ema";

    /// <summary>Loads <paramref name="networkName"/> (G_ema or G) from a stylegan2-ada-pytorch snapshot pickle; the architecture comes from its `_init_kwargs`.</summary>
    public static StyleGan2Network LoadPickle(string path, string networkName = DefaultNetwork)
    {
        var generator = NvidiaNetworkPickle.ReadNetwork(path, networkName);
        var config = StyleGan2Architecture.FromPickledGenerator(path, generator);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, reference) in generator.Tensors())
            {
                tensors.Add(name, TorchStateDict.MaterializeInline(path, name, reference));
            }
            return Build(path, config, tensors);
        }
        finally
        {
            DisposeAll(tensors);
        }
    }

    /// <summary>
    /// Loads a state dict (G_ema's `state_dict()` with the official names) from <paramref name="path"/>. The
    /// architecture is <paramref name="config"/> when given, else inferred from the key names and shapes, with
    /// <paramref name="convClamp"/> (synthesis_kwargs.conv_clamp, which the weights do not show; NVIDIA's training
    /// uses 256, its tiny test models may differ).
    /// </summary>
    public static StyleGan2Network LoadStateDict(string path, StyleGan2Config? config = null, double? convClamp = null)
    {
        var tensors = StateDictFile.Read(path);
        try
        {
            var architecture = config ?? StyleGan2Architecture.InferFromStateDict(path, tensors, convClamp);
            var problem = architecture.Problem();
            if (problem is not null)
            {
                throw new ArgumentException($"StyleGAN2 architecture cannot be built: {problem}", nameof(config));
            }
            return Build(path, architecture, tensors);
        }
        finally
        {
            DisposeAll(tensors);
        }
    }

    // The network must outlive the file's tensors, so they are disposed by hand rather than by a dispose scope
    // (which would also take the network's parameters created inside it).
    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }
    }

    private static StyleGan2Network Build(string path, StyleGan2Config config, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var network = new StyleGan2Network(config);
        try
        {
            CopyWeights(path, network, tensors);
            network.eval();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static void CopyWeights(string path, StyleGan2Network network, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var targets = network.state_dict();
        var missing = targets.Keys.Where(key => !tensors.ContainsKey(key)).ToList();
        if (missing.Count > 0)
        {
            throw new ModelFileException(path, $"missing key '{missing[0]}'{More(missing.Count)} (the architecture {Summary(network.Config)} needs it)");
        }
        var unexpected = tensors.Keys.Where(key => !targets.ContainsKey(key)).ToList();
        if (unexpected.Count > 0)
        {
            throw new ModelFileException(path, $"unexpected key '{unexpected[0]}'{More(unexpected.Count)} (not in the architecture {Summary(network.Config)})");
        }
        using var noGrad = torch.no_grad();
        foreach (var (key, target) in targets)
        {
            var source = tensors[key];
            if (!source.shape.SequenceEqual(target.shape))
            {
                throw new ModelFileException(path, $"key '{key}' has shape [{string.Join(", ", source.shape)}], the architecture {Summary(network.Config)} needs [{string.Join(", ", target.shape)}]");
            }
            if (!source.is_floating_point())
            {
                throw new ModelFileException(path, $"key '{key}' holds {source.dtype}, not floating-point weights");
            }
            using (var check = torch.NewDisposeScope())
            {
                if (!torch.isfinite(source).all().item<bool>())
                {
                    throw new ModelFileException(path, $"key '{key}' holds NaN or infinite values");
                }
            }
            target.copy_(source);
        }
    }

    private static string More(int count) => count > 1 ? $" and {count - 1} more" : "";

    private static string Summary(StyleGan2Config config) =>
        $"(z {config.LatentSize}, c {config.ClassCount}, w {config.StyleSize}, {config.Resolution} px, {config.MappingLayers} mapping layers, channel_base {config.ChannelBase}, channel_max {config.ChannelMax})";
}
