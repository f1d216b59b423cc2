using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// Fills a <see cref="BigGanNetwork"/> from a BigGAN-PyTorch generator state dict in any format
/// <see cref="StateDictFile"/> reads (torch.save zip or legacy as utils.save_weights writes it, the TF-Hub
/// converter's dict without `sv0`, safetensors), checking every key and shape first.
/// </summary>
public static class BigGanLoader
{
    /// <summary>
    /// Reads <paramref name="weightsPath"/> and returns a frozen network in eval mode on CPU. The layout comes from
    /// <paramref name="configPath"/> (constructor arguments, see <see cref="BigGanConfigFile"/>) when given, else it is
    /// inferred from the file's names and shapes (<see cref="BigGanLayoutInference"/>).
    /// </summary>
    public static BigGanNetwork LoadNetwork(string weightsPath, string? configPath = null)
    {
        // The config is read first, so a bad one fails before a large weights file is read.
        var givenConfig = configPath is null ? null : BigGanConfigFile.Read(configPath);
        using var scope = torch.NewDisposeScope();
        var fileTensors = StateDictFile.Read(weightsPath);
        var shapes = fileTensors.ToDictionary(entry => entry.Key, entry => entry.Value.shape);
        var config = givenConfig ?? BigGanLayoutInference.Infer(weightsPath, shapes);
        CheckLayout(weightsPath, config, shapes, configPath is null ? "the layout inferred from the file" : $"the layout of '{configPath}'");

        var network = new BigGanNetwork(config);
        try
        {
            using (torch.no_grad())
            {
                foreach (var (key, target) in network.state_dict())
                {
                    // sv0 is optional (CheckLayout); copy_ also converts half-precision files to float32.
                    if (fileTensors.TryGetValue(key, out var source))
                    {
                        target.copy_(source);
                    }
                }
            }
            foreach (var parameter in network.parameters())
            {
                parameter.requires_grad = false;
            }
            network.eval();
            network.RefreshSpectralNormWeights();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks a state dict's tensor <paramref name="shapes"/> against <paramref name="config"/>'s layout: every key
    /// present (the `sv0` entries may be absent) with its exact shape, no other key. The first problem gives a
    /// one-line <see cref="ModelFileException"/> naming <paramref name="source"/>, the key and what was expected.
    /// </summary>
    public static void CheckLayout(string source, BigGanConfig config, IReadOnlyDictionary<string, long[]> shapes, string layoutName)
    {
        var layout = config.StateDictLayout();
        var description = $"{layoutName} (BigGAN {config.Resolution}×{config.Resolution}, z {config.LatentSize}, {config.ClassCount} classes)";
        var missing = layout.Where(entry => !shapes.ContainsKey(entry.Name) && !BigGanConfig.IsOptionalKey(entry.Name)).ToList();
        if (missing.Count > 0)
        {
            var (name, shape) = missing[0];
            throw new ModelFileException(source, $"missing key '{name}' (expected {Format(shape)} for {description}){More(missing.Count)}");
        }
        var known = layout.Select(entry => entry.Name).ToHashSet();
        var unexpected = shapes.Keys.Where(key => !known.Contains(key)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
        {
            throw new ModelFileException(source, $"unexpected key '{unexpected[0]}'{More(unexpected.Count)}: not part of {description}");
        }
        foreach (var (name, expected) in layout)
        {
            if (shapes.TryGetValue(name, out var actual) && !actual.SequenceEqual(expected))
            {
                throw new ModelFileException(source, $"key '{name}' has shape {Format(actual)}; {description} needs {Format(expected)}");
            }
        }
    }

    private static string More(int count) => count > 1 ? $" (and {count - 1} more)" : "";

    private static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";
}
