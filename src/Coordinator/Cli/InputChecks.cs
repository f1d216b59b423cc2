using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;

namespace Steerability.Coordinator.Cli;

/// <summary>Checks of user input shared by commands; each failure is one <see cref="InputException"/> line.</summary>
public static class InputChecks
{
    public static void Positive(string flag, int value)
    {
        if (value <= 0)
        {
            throw new InputException($"{flag}: {value} is not accepted; use a whole number above 0");
        }
    }

    public static void LearningRate(string flag, double? value)
    {
        if (value is { } rate && WalkLearningRate.Problem(rate) is { } problem)
        {
            throw new InputException($"{flag}: {problem}");
        }
    }

    public static void Transform(string transform)
    {
        if (TransformCatalog.TryCreate(transform) is null)
        {
            throw new InputException($"--transform: '{transform}' is not a transform; accepted: {string.Join(", ", TransformCatalog.Names)}");
        }
    }

    public static void Walk(string walk)
    {
        if (WalkTypes.TryGet(walk) is null)
        {
            throw new InputException($"--walk: '{walk}' is not a walk type; accepted: {string.Join(", ", WalkTypes.Names)}");
        }
    }

    public static torch.Device Device(string device)
    {
        if (!ComputeDevice.IsValidSpelling(device))
        {
            throw new InputException($"--device: '{device}' is not a device; accepted: auto, cpu, cuda, cuda:N");
        }
        return ComputeDevice.Resolve(device);
    }

    /// <summary>Resolves `--class` (a class name, an index, or `all`) to class indices; empty means all.</summary>
    public static IReadOnlyList<int> Classes(string? value, IReadOnlyList<string> names)
    {
        if (value is null or "all")
        {
            return [];
        }
        var picked = new List<int>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var byName = names.ToList().IndexOf(part);
            if (byName >= 0)
            {
                picked.Add(byName);
            }
            else if (int.TryParse(part, out var index) && index >= 0 && index < names.Count)
            {
                picked.Add(index);
            }
            else
            {
                throw new InputException($"--class: '{part}' is not a class of this model; accepted: all, 0..{names.Count - 1} or one of {string.Join(", ", names)}");
            }
        }
        return picked.Distinct().ToArray();
    }

    /// <summary>
    /// Checks that <paramref name="folder"/> can be created and written, without leaving anything behind: the
    /// nearest existing ancestor must be a writable folder, and the folder itself must not be a file.
    /// </summary>
    public static string WritableFolder(string flag, string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            throw new InputException($"{flag}: missing; give a folder to write results into");
        }
        var full = Path.GetFullPath(folder);
        if (File.Exists(full))
        {
            throw new InputException($"{flag}: '{folder}' is a file; give a folder");
        }
        var existing = full;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                throw new InputException($"{flag}: '{folder}' cannot be created: '{existing}' is a file");
            }
            existing = Path.GetDirectoryName(existing) ?? throw new InputException($"{flag}: '{folder}' has no existing parent folder");
        }
        var probe = Path.Combine(existing, $".steer-write-probe-{Environment.ProcessId}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InputException($"{flag}: '{folder}' is not writable ({existing}: {e.Message})");
        }
        return full;
    }
}
