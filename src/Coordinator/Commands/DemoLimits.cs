using Steerability.Experiments.Data;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Transforms;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// The limits study inside `steer demo`, as a sweep's walk trial does it: after each walk, its attribute along α, the
/// data's variability per class and their correlation; all walks' rows together in OUT/attributes.parquet,
/// OUT/variability.parquet and OUT/correlation.parquet, which the report draws the paper's figures from.
/// Built-in models only: the foreground detector measures one object on a plain background, not natural images.
/// </summary>
public sealed class DemoLimits(string? dataFolder)
{
    private readonly List<AttributeRecord> _attributes = [];
    private readonly List<VariabilityRecord> _variability = [];
    private readonly List<CorrelationRecord> _correlations = [];
    private LabelledImages? _data;

    /// <summary>Measures the walk the demo just trained and saved in <paramref name="folder"/> (walk.safetensors).</summary>
    public async Task MeasureAsync(LoadedGenerator loaded, WalkExperimentSpec spec, string folder, CancellationToken ct)
    {
        var weights = Path.Combine(folder, WalkExperiment.WalkWeightsFile);
        if (BuiltInModels.TryGet(spec.Model) is null || !File.Exists(weights))
        {
            return;
        }
        // Loaded once, outside the scope: the next walk measures against the same data.
        _data ??= BuiltInModels.LoadData(spec.Model, dataFolder ?? SteerPaths.FromEnvironment().MnistFolder);
        using var scope = torch.NewDisposeScope();
        var transform = TransformCatalog.Create(spec.Transform);
        using var walk = WalkExperiment.CreateWalk(spec, transform, loaded.Generator);
        if (walk is torch.nn.Module module)
        {
            module.load_safetensors(weights);
        }
        var result = await LimitsExperiment.MeasureAsync(loaded.Generator, loaded.ClassNames, _data, spec, transform, walk, folder, cancel: ct);
        _attributes.AddRange(result.Attributes);
        _variability.AddRange(result.Variability);
        _correlations.Add(result.Correlation);
    }

    /// <summary>Writes the three combined tables into <paramref name="output"/> (nothing when no walk was measured).</summary>
    public async Task WriteAsync(string output, CancellationToken ct)
    {
        if (_attributes.Count == 0)
        {
            return;
        }
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(output, LimitsExperiment.AttributesFile), _attributes, ct);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(output, LimitsExperiment.VariabilityFile), _variability, ct);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(output, LimitsExperiment.CorrelationFile), _correlations, ct);
    }
}
