using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Families.TorchScript;
using Steerability.Experiments.Families.BigGanDeep;
using Steerability.Experiments.Generators;
using TorchSharp;

namespace Steerability.Experiments.Generators;

/// <summary>A generator ready for walks, with the names of its classes and a line saying where it came from.</summary>
public sealed record LoadedGenerator(IImageGenerator Generator, IReadOnlyList<string> ClassNames, string Source) : IDisposable
{
    public void Dispose() => Generator.Dispose();

    /// <summary>Class names for a generator without names of its own: its indices, or "none" when it is unconditional.</summary>
    public static IReadOnlyList<string> IndexNames(int classCount) =>
        classCount > 0 ? Enumerable.Range(0, classCount).Select(i => i.ToString()).ToArray() : ["none"];

    /// <summary>Loads BigGAN-deep from a folder with config.json and a state dict (safetensors, zip or legacy .bin).</summary>
    public static LoadedGenerator BigGanDeep(string folder, double truncation, torch.Device device)
    {
        var generator = BigGanDeepGenerator.Load(folder, device, truncation);
        return new LoadedGenerator(generator, IndexNames(generator.ClassCount), $"{generator.Name} from {folder} (truncation {truncation})");
    }

    /// <summary>Loads a TorchScript generator described by <paramref name="description"/> (null: the JSON file beside it).</summary>
    public static LoadedGenerator TorchScript(string file, TorchScriptGeneratorDescription? description, torch.Device device)
    {
        var generator = new TorchScriptGenerator(file, description, device);
        return new LoadedGenerator(generator, IndexNames(generator.ClassCount), $"TorchScript generator {file}");
    }
}
