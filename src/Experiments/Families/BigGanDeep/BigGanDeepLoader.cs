using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGanDeep;

/// <summary>Finds the port's files and fills a <see cref="BigGanDeepNetwork"/> from them, checking every key and shape.</summary>
public static class BigGanDeepLoader
{
    /// <summary>The config's file name in a model folder.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>Weight file names tried in a model folder, in this order.</summary>
    public static readonly IReadOnlyList<string> WeightFileNames = ["model.safetensors", "pytorch_model.bin", "pytorch_model_legacy.bin"];

    /// <summary>The weights file of a model folder: the first of <see cref="WeightFileNames"/> present.</summary>
    public static string FindWeightsFile(string modelDirectory)
    {
        foreach (var name in WeightFileNames)
        {
            var candidate = Path.Combine(modelDirectory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new ModelFileException(modelDirectory, $"no weights file found (looked for {string.Join(", ", WeightFileNames)})");
    }

    /// <summary>Reads config and weights and returns a frozen network on CPU (statistics not selected yet).</summary>
    public static BigGanDeepNetwork LoadNetwork(string configPath, string weightsPath)
    {
        var config = BigGanDeepConfig.FromJsonFile(configPath);
        var network = new BigGanDeepNetwork(config);
        try
        {
            LoadWeights(network, weightsPath);
            foreach (var parameter in network.parameters())
            {
                parameter.requires_grad = false;
            }
            network.eval();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the state dict in <paramref name="weightsPath"/> into <paramref name="network"/>. Every key the network
    /// stores must be present with its exact shape, and no other key may be: a one-line
    /// <see cref="ModelFileException"/> names the first offending key otherwise.
    /// </summary>
    public static void LoadWeights(BigGanDeepNetwork network, string weightsPath)
    {
        using var scope = torch.NewDisposeScope();
        var fileTensors = StateDictFile.Read(weightsPath);
        var networkTensors = network.state_dict();

        var missing = networkTensors.Keys.Where(key => !fileTensors.ContainsKey(key)).ToList();
        if (missing.Count > 0)
        {
            throw new ModelFileException(weightsPath, $"missing key '{missing[0]}'{More(missing.Count)}");
        }
        var unexpected = fileTensors.Keys.Where(key => !networkTensors.ContainsKey(key)).ToList();
        if (unexpected.Count > 0)
        {
            throw new ModelFileException(weightsPath, $"unexpected key '{unexpected[0]}'{More(unexpected.Count)} (file does not match config.json)");
        }
        foreach (var (key, target) in networkTensors)
        {
            var source = fileTensors[key];
            if (!source.shape.SequenceEqual(target.shape))
            {
                throw new ModelFileException(weightsPath, $"key '{key}' has shape {Shape(source)}, the config needs {Shape(target)}");
            }
        }
        using (torch.no_grad())
        {
            foreach (var (key, target) in networkTensors)
            {
                // copy_ also converts half-precision files to the network's float32.
                target.copy_(fileTensors[key]);
            }
        }
        network.RefreshSpectralNormWeights();
    }

    private static string More(int count) => count > 1 ? $" (and {count - 1} more)" : "";

    private static string Shape(Tensor tensor) => $"[{string.Join(", ", tensor.shape)}]";
}
