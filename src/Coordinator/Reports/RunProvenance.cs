using Steerability.GpuNode.Contract;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Steerability.Experiments.Generators;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Reports;

/// <summary>
/// What made a results folder, as provenance.json records it beside the tables: the trial runner, the versions of the
/// code and of the tables' columns, the generator and where it came from, and the device. The report prints it on top.
/// </summary>
public sealed record RunProvenance(
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("runner")] string Runner,
    [property: JsonPropertyName("steer_version")] string SteerVersion,
    [property: JsonPropertyName("trial_code_version")] string TrialCodeVersion,
    [property: JsonPropertyName("generator_code_version")] string GeneratorCodeVersion,
    [property: JsonPropertyName("schema_version")] string SchemaVersion,
    [property: JsonPropertyName("generator")] string Generator,
    [property: JsonPropertyName("checkpoint_key")] string CheckpointKey,
    [property: JsonPropertyName("device")] string Device)
{
    public const string FileName = "provenance.json";

    /// <summary>
    /// Version of the result tables' columns (alpha_metrics, attributes, variability, correlation, trials) and of the
    /// explorer's frame files; raised whenever one of them changes shape.
    /// </summary>
    public const string TableSchemaVersion = "steer-tables-1";

    /// <summary>The runner a coordinator records: each `steer node` picks its own with --runner.</summary>
    public const string RunnerPerNode = "per node (each steer node's --runner)";

    /// <summary>The checkpoint key a sweep records: each generator trial has its own, listed from the trials table.</summary>
    public const string PerTrialKeys = "per generator trial";

    /// <summary>Runners whose tables are not the science: the report of their folder carries a banner saying so.</summary>
    public static readonly string[] NotScienceRunners = ["synthetic", "nowork"];

    /// <summary>This build's version with its git commit (the informational version the SDK stamps).</summary>
    public static string BuildVersion =>
        typeof(RunProvenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The provenance of a run started now by <paramref name="command"/> with this build.</summary>
    public static RunProvenance Now(string command, string runner, string generator, string checkpointKey, string device) =>
        new(command, runner, BuildVersion, TrialSpec.CodeVersion, GeneratorCheckpoint.CodeVersion, TableSchemaVersion, generator, checkpointKey, device);

    /// <summary>The checkpoint key of a generator loaded from <paramref name="source"/> when it is a checkpoint folder; otherwise "".</summary>
    public static string CheckpointKeyOf(string source)
    {
        try
        {
            return Directory.Exists(source) && File.Exists(Path.Combine(source, GeneratorCheckpoint.ManifestFile))
                ? GeneratorCheckpoint.ReadManifest(source).Key
                : "";
        }
        catch (CheckpointException)
        {
            return "";
        }
    }

    /// <summary>Writes FOLDER/provenance.json whole.</summary>
    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads FOLDER/provenance.json; null when it is missing or unreadable (a folder from an older build).</summary>
    public static RunProvenance? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<RunProvenance>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }
}
