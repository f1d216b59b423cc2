using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;

namespace Steerability.GpuNode.Trials;

/// <summary>What a limits study produced, as table rows.</summary>
public sealed record LimitsResult(IReadOnlyList<AttributeRow> Attributes, IReadOnlyList<VariabilityRow> Variability, CorrelationRow Correlation);

/// <summary>
/// The limits study (<see cref="LimitsStudy"/>) with its files: OUT/attributes.parquet, OUT/variability.parquet and
/// OUT/correlation.parquet.
/// </summary>
public static class LimitsExperiment
{
    public const string AttributesFile = "attributes.parquet";
    public const string VariabilityFile = "variability.parquet";
    public const string CorrelationFile = "correlation.parquet";

    /// <summary>The study for a walk already trained (a sweep's walk trial measures the walk it has just evaluated), written.</summary>
    public static async Task<LimitsResult> MeasureAsync(IImageGenerator generator, IReadOnlyList<string> classNames, LabelledImages? data, WalkExperimentSpec spec,
        ImageTransform transform, ILatentWalk walk, string outputFolder, IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default) =>
        await WriteAsync(LimitsStudy.Measure(generator, classNames, data, spec, transform, walk, progress), outputFolder, cancel);

    private static async Task<LimitsResult> WriteAsync(LimitsStudyResult study, string outputFolder, CancellationToken cancel)
    {
        var result = new LimitsResult(study.Attributes.Select(AttributeRow.From).ToList(), study.Variability.Select(VariabilityRow.From).ToList(),
            CorrelationRow.From(study.Correlation));
        Directory.CreateDirectory(outputFolder);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, AttributesFile), result.Attributes, cancel);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, VariabilityFile), result.Variability, cancel);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, CorrelationFile), new[] { result.Correlation }, cancel);
        return result;
    }
}
