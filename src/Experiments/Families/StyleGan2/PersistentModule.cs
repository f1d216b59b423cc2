using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// One torch module as NVIDIA's persistence format pickles it (`_reconstruct_persistent_obj(meta)`), read as data:
/// the class name, its parameters and buffers (tensor views not read yet), its child modules, and its other
/// attributes (among them `_init_args` and `_init_kwargs`, the arguments it was built with). `module_src`, the Python
/// source NVIDIA's loader executes, is kept only as text.
/// </summary>
internal sealed record PersistentModule(
    string ClassName,
    string ModuleSource,
    IReadOnlyDictionary<string, TorchTensorReference> Parameters,
    IReadOnlyDictionary<string, TorchTensorReference> Buffers,
    IReadOnlyDictionary<string, PersistentModule> Modules,
    IReadOnlyDictionary<string, object?> Attributes)
{
    /// <summary>The positional arguments the module was built with (empty when none).</summary>
    public IReadOnlyList<object?> InitArgs => Attributes.TryGetValue("_init_args", out var value) && value is object?[] tuple ? tuple : [];

    /// <summary>The keyword arguments the module was built with (empty when none).</summary>
    public IReadOnlyDictionary<object, object?> InitKwargs =>
        Attributes.TryGetValue("_init_kwargs", out var value) && value is Dictionary<object, object?> kwargs ? kwargs : new Dictionary<object, object?>();

    /// <summary>Every parameter and buffer of this module and its children, by dotted state-dict name (e.g. `synthesis.b4.conv1.weight`).</summary>
    public IEnumerable<(string Name, TorchTensorReference Tensor)> Tensors(string prefix = "")
    {
        foreach (var (name, tensor) in Parameters.Concat(Buffers))
        {
            yield return (prefix + name, tensor);
        }
        foreach (var (name, child) in Modules)
        {
            foreach (var entry in child.Tensors(prefix + name + "."))
            {
                yield return entry;
            }
        }
    }

    /// <summary>The module at a dotted path below this one (e.g. `synthesis.input`), or null.</summary>
    public PersistentModule? Find(string dottedPath)
    {
        var module = this;
        foreach (var part in dottedPath.Split('.'))
        {
            if (!module.Modules.TryGetValue(part, out var child))
            {
                return null;
            }
            module = child;
        }
        return module;
    }
}
