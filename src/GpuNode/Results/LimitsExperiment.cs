using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;

namespace Steerability.GpuNode.Results;

/// <summary>
/// The limits study (<see cref="LimitsStudy"/>) with its files: OUT/attributes.parquet, OUT/variability.parquet and
/// OUT/correlation.parquet.
/// </summary>
public static class LimitsExperiment
{
    public const string AttributesFile = "attributes.parquet";
    public const string VariabilityFile = "variability.parquet";
    public const string CorrelationFile = "correlation.parquet";

    /// <summary>
    /// The study for a walk already trained (a sweep's walk trial measures the walk it has just evaluated), written; the
    /// rows name <paramref name="origin"/> when a sweep publishes them.
    /// </summary>
    public static async Task<LimitsStudyResult> MeasureAsync(IImageGenerator generator, IReadOnlyList<string> classNames, LabelledImages? data, WalkExperimentSpec spec,
        ImageTransform transform, ILatentWalk walk, string outputFolder, IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default,
        RowOrigin? origin = null) =>
        await WriteAsync(LimitsStudy.Measure(generator, classNames, data, spec, transform, walk, progress, cancel), outputFolder, origin, cancel);

    private static async Task<LimitsStudyResult> WriteAsync(LimitsStudyResult study, string outputFolder, RowOrigin? origin, CancellationToken cancel)
    {
        Directory.CreateDirectory(outputFolder);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, AttributesFile), study.Attributes, origin, cancel);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, VariabilityFile), study.Variability, origin, cancel);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, CorrelationFile), [study.Correlation], origin, cancel);
        return study;
    }
}
