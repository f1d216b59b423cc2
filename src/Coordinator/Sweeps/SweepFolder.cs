using Steerability.Coordinator.Cli;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Decides where a sweep lives and whether a run resumes it: the same trials resume; a spec whose trials changed is
/// refused unless a new sweep is asked for, in which case the old folder is kept aside, never deleted.
/// </summary>
public static class SweepFolder
{
    public const string MarkerName = "sweep.json";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Validates the spec and the folder and returns the plan; writes nothing (see <see cref="Create"/>).</summary>
    public static SweepPlan Plan(string specPath, string outDir, bool newSweep)
    {
        var spec = SweepSpecParser.ParseFile(specPath);
        var trials = TrialExpansion.Expand(spec);
        var keys = trials.Select(t => t.Key).Distinct().Order(StringComparer.Ordinal).ToList();
        var sweepId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", keys))))[..16];
        var outFull = Path.GetFullPath(outDir);
        var sweepDir = Path.Combine(outFull, spec.Name);
        var marker = ReadMarker(sweepDir);
        if (marker is not null && marker.SweepId != sweepId && !newSweep)
        {
            var added = keys.Except(marker.Keys).Count();
            var removed = marker.Keys.Except(keys).Count();
            throw new InputException($"{specPath}: its trials differ from the sweep already in {sweepDir} ({added} added, {removed} removed); " +
                "accepted: the unchanged spec (to resume), --new-sweep (the old folder is kept aside), or another --out");
        }
        return new SweepPlan(spec, trials, sweepDir, Path.Combine(outFull, "artifacts"), sweepId);
    }

    /// <summary>Creates the folder (moving a previous sweep aside when <paramref name="newSweep"/>) and its marker.</summary>
    public static void Create(SweepPlan plan, bool newSweep)
    {
        var marker = ReadMarker(plan.SweepDir);
        if (newSweep && Directory.Exists(plan.SweepDir))
        {
            var aside = $"{plan.SweepDir}.superseded-{DateTime.UtcNow:yyyyMMddHHmmss}";
            Directory.Move(plan.SweepDir, aside);
            marker = null;
        }
        Directory.CreateDirectory(plan.SweepDir);
        Directory.CreateDirectory(plan.ArtifactDir);
        if (marker is null)
        {
            var keys = plan.Trials.Select(t => t.Key).Distinct().Order(StringComparer.Ordinal).ToList();
            var text = JsonSerializer.Serialize(new Marker(plan.Spec.Name, plan.SweepId, Path.GetFullPath(plan.Spec.SourcePath),
                DateTimeOffset.UtcNow, keys), Options);
            GpuNode.Results.AtomicFile.WriteAllText(Path.Combine(plan.SweepDir, MarkerName), text);
        }
    }

    /// <summary>Finds the sweep folder a user names: the folder itself, or an --out folder holding one sweep.</summary>
    public static string Resolve(string dir)
    {
        var full = Path.GetFullPath(dir);
        if (File.Exists(Path.Combine(full, MarkerName)))
        {
            return full;
        }
        var inside = Directory.Exists(full)
            ? Directory.EnumerateDirectories(full).Where(d => File.Exists(Path.Combine(d, MarkerName))).ToList()
            : [];
        return inside.Count == 1
            ? inside[0]
            : throw new InputException($"{dir}: not a sweep folder ({(inside.Count == 0 ? "no" : "more than one")} {MarkerName} found); " +
                $"accepted: a folder written by `steer run`, such as results/quickstart{(inside.Count > 1 ? ": " + string.Join(", ", inside.Select(Path.GetFileName)) : "")}");
    }

    private static Marker? ReadMarker(string sweepDir)
    {
        var path = Path.Combine(sweepDir, MarkerName);
        return File.Exists(path) ? JsonSerializer.Deserialize<Marker>(File.ReadAllText(path), Options) : null;
    }

    private sealed record Marker(string Name, string SweepId, string Spec, DateTimeOffset Created, List<string> Keys);
}
