using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>The whole generator with the official state-dict names: `mapping.*` and `synthesis.*`.</summary>
public sealed class StyleGan2Network : PortLayoutModule
{
    /// <summary>Creates the network of <paramref name="config"/> with zero weights (see <see cref="StyleGan2Loader"/>).</summary>
    public StyleGan2Network(StyleGan2Config config) : base(nameof(StyleGan2Network))
    {
        Config = config;
        Synthesis = new SynthesisNetwork(config);
        Mapping = new MappingNetwork(config);
        register_module("synthesis", Synthesis);
        register_module("mapping", Mapping);
    }

    /// <summary>The architecture.</summary>
    public StyleGan2Config Config { get; }

    /// <summary>z, c → w.</summary>
    public MappingNetwork Mapping { get; }

    /// <summary>ws → images.</summary>
    public SynthesisNetwork Synthesis { get; }
}
