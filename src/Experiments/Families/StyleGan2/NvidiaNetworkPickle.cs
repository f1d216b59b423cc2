using Steerability.Experiments.Generators;
using System.Numerics;
using Steerability.Experiments.ModelFiles;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// Reads a `network-snapshot-*.pkl` of NVIDIA's stylegan2-ada-pytorch without executing anything in it: the pickle
/// runs on our own machine with an allow-list of the globals such a file needs, each network
/// (`torch_utils.persistence._reconstruct_persistent_obj(meta)`) becomes a <see cref="PersistentModule"/>, and tensor
/// storages (`torch.storage._load_from_bytes`, nested legacy torch.save streams) are read as bytes. Anything else is
/// one <see cref="ModelFileException"/> line naming what was found.
/// </summary>
internal static class NvidiaNetworkPickle
{
    /// <summary>The globals a stylegan2-ada-pytorch snapshot pickle names (protocols 2 to 5); nothing else is accepted.</summary>
    public static readonly IReadOnlySet<string> AllowedGlobals = new HashSet<string>(StringComparer.Ordinal)
    {
        "torch_utils.persistence._reconstruct_persistent_obj",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch.storage._load_from_bytes",
        "torch.FloatStorage",
        "collections.OrderedDict",
        "dnnlib.util.EasyDict",
        "numpy.core.multiarray.scalar",
        "numpy.dtype",
        "builtins.set",
        "__builtin__.set",
        "_codecs.encode",
    };

    /// <summary>The entries of a snapshot dict that hold networks.</summary>
    public static readonly IReadOnlyList<string> NetworkNames = ["G", "D", "G_ema", "augment_pipe"];

    private const string PersistentObjectGlobal = "torch_utils.persistence._reconstruct_persistent_obj";
    private const long PersistenceVersion = 6;

    /// <summary>Reads the snapshot at <paramref name="path"/> and returns its network <paramref name="networkName"/> (by default G_ema).</summary>
    public static PersistentModule ReadNetwork(string path, string networkName = "G_ema")
    {
        var root = RunPickle(path);
        if (root is not Dictionary<object, object?> snapshot)
        {
            throw new ModelFileException(path, $"is not a network snapshot (the pickle holds {Describe(root)}, not a dict with {string.Join(", ", NetworkNames)})");
        }
        if (!snapshot.TryGetValue(networkName, out var network) || network is null)
        {
            var keys = string.Join(", ", snapshot.Keys.Select(key => key.ToString()));
            throw new ModelFileException(path, $"snapshot has no network '{networkName}' (it holds: {keys})");
        }
        return ToModule(path, networkName, network);
    }

    private static object? RunPickle(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFileException(path, "file not found");
        }
        try
        {
            using var file = File.OpenRead(path);
            using var stream = new BufferedStream(file, 1 << 20);
            var root = TorchPickleMachine.Load(stream, AllowedGlobals);
            return root;
        }
        catch (PickleGlobalRefusedException refused)
        {
            throw new ModelFileException(path, RefusalReason(refused.Global), refused);
        }
        catch (EndOfStreamException error)
        {
            throw new ModelFileException(path, $"truncated network pickle (ends early: {error.Message})", error);
        }
        catch (Exception error) when (error is InvalidDataException or InvalidCastException or ArgumentException or OverflowException or IOException)
        {
            throw new ModelFileException(path, $"damaged network pickle ({error.Message})", error);
        }
    }

    private static string RefusalReason(PickleGlobal global)
    {
        if (global.Module.StartsWith("dnnlib.tflib", StringComparison.Ordinal))
        {
            return $"is a TensorFlow-era StyleGAN pickle (it names {global.FullName}); this reader takes stylegan2-ada-pytorch snapshots: "
                + "convert it with that repository's legacy.py (python legacy.py --source=IN.pkl --dest=OUT.pkl)";
        }
        return $"the pickle names the global {global.FullName}, which a stylegan2-ada-pytorch snapshot never needs; "
            + "refused before anything was called (accepted: torch_utils.persistence, torch tensor rebuilds, OrderedDict, EasyDict, numpy scalars, set)";
    }

    /// <summary>Turns a pickled persistent object into a module tree, checking its persistence metadata.</summary>
    private static PersistentModule ToModule(string path, string where, object? value)
    {
        if (value is not PickleOpaqueObject { Type.FullName: PersistentObjectGlobal, Arguments: [Dictionary<object, object?> meta] })
        {
            throw new ModelFileException(path, $"'{where}' is {Describe(value)}, not a persistent torch module of stylegan2-ada-pytorch");
        }
        var className = meta.GetValueOrDefault("class_name") as string
            ?? throw new ModelFileException(path, $"'{where}' has no class_name in its persistence metadata");
        if (meta.GetValueOrDefault("type") as string != "class")
        {
            throw new ModelFileException(path, $"'{where}' ({className}) has persistence type '{meta.GetValueOrDefault("type")}', only 'class' is known");
        }
        if (meta.GetValueOrDefault("version") is not long version || version != PersistenceVersion)
        {
            throw new ModelFileException(path, $"'{where}' ({className}) has persistence version {meta.GetValueOrDefault("version") ?? "none"}; this reader knows version {PersistenceVersion}");
        }
        if (meta.GetValueOrDefault("state") is not Dictionary<object, object?> state)
        {
            throw new ModelFileException(path, $"'{where}' ({className}) has no state dict in its persistence metadata");
        }
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, attribute) in state)
        {
            attributes[key as string ?? throw new ModelFileException(path, $"'{where}' ({className}) has a state key that is not a string")] = attribute;
        }
        var parameters = TensorEntries(path, where, className, attributes, "_parameters");
        var buffers = TensorEntries(path, where, className, attributes, "_buffers");
        var modules = new Dictionary<string, PersistentModule>(StringComparer.Ordinal);
        if (attributes.GetValueOrDefault("_modules") is Dictionary<object, object?> children)
        {
            foreach (var (key, child) in children)
            {
                var name = key as string ?? throw new ModelFileException(path, $"'{where}' has a child module name that is not a string");
                if (child is not null)
                {
                    modules[name] = ToModule(path, $"{where}.{name}", child);
                }
            }
        }
        return new PersistentModule(className, meta.GetValueOrDefault("module_src") as string ?? "", parameters, buffers, modules, attributes);
    }

    private static Dictionary<string, TorchTensorReference> TensorEntries(
        string path, string where, string className, Dictionary<string, object?> attributes, string field)
    {
        var tensors = new Dictionary<string, TorchTensorReference>(StringComparer.Ordinal);
        if (attributes.GetValueOrDefault(field) is not Dictionary<object, object?> entries)
        {
            return tensors;
        }
        foreach (var (key, value) in entries)
        {
            var name = key as string ?? throw new ModelFileException(path, $"'{where}' has a {field} name that is not a string");
            switch (value)
            {
                case null:
                    break;   // an optional parameter set to None (e.g. a layer without bias)
                case TorchTensorReference { Storage.InlineData: not null } tensor:
                    tensors[name] = tensor;
                    break;
                default:
                    throw new ModelFileException(path, $"'{where}.{name}' ({className}.{field}) is {Describe(value)}, not a tensor");
            }
        }
        return tensors;
    }

    /// <summary>A short description of an unpickled value for messages.</summary>
    internal static string Describe(object? value) => value switch
    {
        null => "None",
        PickleOpaqueObject opaque => $"an object of {opaque.Type.FullName}",
        Dictionary<object, object?> => "a dict",
        List<object?> => "a list",
        object?[] tuple => $"a tuple of {tuple.Length}",
        string => "a string",
        long or BigInteger => "an integer",
        double => "a float",
        TorchTensorReference => "a tensor",
        _ => $"a {value.GetType().Name}",
    };
}
