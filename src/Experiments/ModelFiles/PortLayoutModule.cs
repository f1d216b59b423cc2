using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using TorchSharp;

namespace Steerability.Experiments.ModelFiles;

/// <summary>
/// A module whose parameters, buffers and children are registered only explicitly, under the port's state-dict names.
/// TorchSharp otherwise also registers every Tensor/Module field under its C# field name, which would add duplicate
/// keys (e.g. `_bias` next to `bias`) that the port's files do not have.
/// </summary>
public abstract class PortLayoutModule : torch.nn.Module
{
    /// <summary>Creates the module; subclasses call register_parameter, register_buffer and register_module themselves.</summary>
    protected PortLayoutModule(string name) : base(name)
    {
    }

    /// <summary>Intentionally empty: see the class summary.</summary>
    protected override void RegisterComponents()
    {
    }
}
