using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Steerability.Experiments.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Steerability.Experiments.Generators;

/// <summary>
/// What a checkpoint folder's checkpoint.json says: format, model name, network config, class names, the data
/// and training settings it came from, and the code version. The weights sit beside it in generator.safetensors.
/// </summary>
public sealed record CheckpointManifest(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("format_version")] int FormatVersion,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("config")] DcganConfig Config,
    [property: JsonPropertyName("class_names")] IReadOnlyList<string> ClassNames,
    [property: JsonPropertyName("data_fingerprint")] string DataFingerprint,
    [property: JsonPropertyName("training")] GanTrainingOptions Training,
    [property: JsonPropertyName("regime")] string Regime,
    [property: JsonPropertyName("code_version")] string CodeVersion,
    [property: JsonPropertyName("key")] string Key);

/// <summary>A generator checkpoint's files could not be read; the message names the file and the reason.</summary>
public sealed class CheckpointException(string message) : Exception(message);

/// <summary>
/// Saves and loads DCGAN generator checkpoints: a folder with checkpoint.json (<see cref="CheckpointManifest"/>)
/// and generator.safetensors (the state dict, readable by PyTorch's safetensors too). The key hashes everything
/// that determines the weights, so the same data, config, training and code version reuse one folder.
/// </summary>
public static class GeneratorCheckpoint
{
    public const string Format = "steerability-dcgan";
    public const int FormatVersion = 1;

    /// <summary>The code version a checkpoint is made by (<see cref="Experiments.CodeVersion"/>): part of its key.</summary>
    public const string CodeVersion = Experiments.CodeVersion.Current;

    /// <summary>
    /// The one code version whose placing generators turned each class freely (<see cref="AffinePlacement"/> now
    /// measures the turn from the class's turn at z = 0). Its weights load, but they would draw other images, so such
    /// a checkpoint is refused.
    /// </summary>
    private const string FreeTurnPlacementVersion = "dcgan-2026.11-7";

    public const string ManifestFile = "checkpoint.json";
    public const string WeightsFile = "generator.safetensors";
    public const string SamplesFile = "samples.png";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The key of a training run: a short SHA-256 over its canonical description.</summary>
    public static string KeyOf(string model, DcganConfig config, string dataFingerprint, GanTrainingOptions training, string regime)
    {
        var canonical = JsonSerializer.Serialize(new { model, config, dataFingerprint, training, regime, CodeVersion });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }

    /// <summary>Writes the checkpoint into <paramref name="folder"/> atomically (a temporary folder renamed into place).</summary>
    public static void Save(string folder, DcganGeneratorNetwork network, CheckpointManifest manifest)
    {
        var temporary = folder.TrimEnd('/') + $".partial-{Environment.ProcessId}";
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }
        Directory.CreateDirectory(temporary);
        network.save_safetensors(Path.Combine(temporary, WeightsFile));
        File.WriteAllText(Path.Combine(temporary, ManifestFile), JsonSerializer.Serialize(manifest, Json));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Directory.Move(temporary, folder);
    }

    /// <summary>Reads a checkpoint folder's manifest; throws <see cref="CheckpointException"/> naming the file when it is missing or malformed.</summary>
    public static CheckpointManifest ReadManifest(string folder)
    {
        var path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path))
        {
            throw new CheckpointException($"checkpoint: '{path}' does not exist (a checkpoint folder holds {ManifestFile} and {WeightsFile})");
        }
        CheckpointManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"checkpoint: '{path}' is not valid JSON ({e.Message.Split('\n')[0]})");
        }
        if (manifest is null || manifest.Format != Format)
        {
            throw new CheckpointException($"checkpoint: '{path}' is not a {Format} manifest (format '{manifest?.Format}')");
        }
        if (manifest.Config is null || manifest.ClassNames is null)
        {
            throw new CheckpointException($"checkpoint: '{path}' is a damaged {Format} manifest (field '{(manifest.Config is null ? "config" : "class_names")}' is missing)");
        }
        if (manifest.FormatVersion != FormatVersion)
        {
            throw new CheckpointException($"checkpoint: '{path}' has format_version {manifest.FormatVersion}; this build reads {FormatVersion}");
        }
        return manifest;
    }

    /// <summary>Loads a checkpoint folder as a frozen generator on <paramref name="device"/>.</summary>
    public static DcganGenerator Load(string folder, Device device)
    {
        var manifest = ReadManifest(folder);
        var weights = Path.Combine(folder, WeightsFile);
        if (!File.Exists(weights))
        {
            throw new CheckpointException($"checkpoint: '{weights}' does not exist");
        }
        if (manifest.Config.PlacesObject && manifest.CodeVersion == FreeTurnPlacementVersion)
        {
            throw new CheckpointException($"checkpoint: '{folder}' has code_version {manifest.CodeVersion}, whose placement stage turned each class freely; this build ({CodeVersion}) places differently, so train the generator again (steer train)");
        }
        var network = new DcganGeneratorNetwork(manifest.Config);
        try
        {
            network.load_safetensors(weights, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            network.Dispose();
            throw new CheckpointException($"checkpoint: '{weights}' does not fit the config in {ManifestFile}: {e.Message.Split('\n')[0]}");
        }
        return new DcganGenerator(manifest.Model, manifest.Config, network, manifest.ClassNames, device);
    }
}
