using System.Text.Json;
using System.Text.Json.Nodes;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Users' own edits: a TorchScript file with its JSON beside it, or a composition of built-in edits. Each has a
/// self-contained description (the "wire" JSON) that a trial carries to any worker, which rebuilds and registers it.
/// </summary>
public static class UserEdits
{
    /// <summary>Loads FILE (TorchScript) with FILE's name and .json beside it; every fault is one line.</summary>
    public static ScriptedEdit LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new EditFileException($"{path}: edit file not found; accepted: a TorchScript file defining def {ScriptedEdit.FunctionName}(images, alpha) -> (edited, mask)");
        }
        var settingsPath = Path.ChangeExtension(path, ".json");
        if (!File.Exists(settingsPath))
        {
            throw new EditFileException($"{settingsPath}: missing; accepted: a JSON beside the edit with name, identity_alpha, training_range, test_grid (see docs/orchestration.md)");
        }
        var settings = UserEditSettings.Parse(File.ReadAllText(settingsPath), settingsPath);
        return new ScriptedEdit(File.ReadAllText(path), settings, path);
    }

    /// <summary>The description a trial carries: enough to rebuild the edit on any worker.</summary>
    public static string WireOf(ImageTransform edit) => edit switch
    {
        ScriptedEdit scripted => new JsonObject
        {
            ["kind"] = "script",
            ["origin"] = Path.GetFileName(scripted.Origin),
            ["source"] = scripted.Source,
            ["settings"] = JsonSerializer.SerializeToNode(scripted.Settings),
        }.ToJsonString(),
        ComposedEdit composed => new JsonObject
        {
            ["kind"] = "compose",
            ["name"] = composed.Name,
            ["steps"] = new JsonArray(composed.Steps.Select(s => (JsonNode)new JsonObject { ["edit"] = s.Edit, ["scale"] = s.Scale }).ToArray()),
        }.ToJsonString(),
        _ => throw new ArgumentException($"{edit.Name} is a built-in edit, which needs no description"),
    };

    /// <summary>Rebuilds an edit from its description.</summary>
    public static ImageTransform FromWire(string wire)
    {
        var node = JsonNode.Parse(wire)?.AsObject() ?? throw new EditFileException("edit description: empty");
        return (string?)node["kind"] switch
        {
            "script" => new ScriptedEdit((string)node["source"]!, UserEditSettings.Parse(node["settings"]!.ToJsonString(), (string)node["origin"]! + " (settings)"), (string)node["origin"]!),
            "compose" => new ComposedEdit((string)node["name"]!,
                node["steps"]!.AsArray().Select(s => new CompositionStep((string)s!["edit"]!, (double)s["scale"]!)).ToArray(), "composition " + (string)node["name"]!),
            var kind => throw new EditFileException($"edit description: kind '{kind}' is not known; accepted: script, compose"),
        };
    }

    /// <summary>Makes <paramref name="edit"/> known to the catalog under its name, for this process; returns the name.</summary>
    public static string Register(ImageTransform edit)
    {
        TransformCatalog.RegisterUserEdit(edit);
        return edit.Name;
    }
}
