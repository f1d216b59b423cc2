using Steerability.Experiments.Data;
using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Imaging;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Steerability.GpuNode.Results;

/// <summary>What a walk experiment produced.</summary>
public sealed record WalkExperimentResult(IReadOnlyList<WalkMetricRecord> Rows, IReadOnlyList<double> Losses, string MetricsPath, string? StripPath, TimeSpan TrainingTime, TimeSpan EvaluationTime);

/// <summary>
/// The walk study (<see cref="WalkStudy"/>) with its files: OUT/alpha_metrics.parquet, OUT/walk_strip.png (G(z + αw)
/// across α for a few classes, with the target edit under each row) and the walk's weights.
/// </summary>
public static class WalkExperiment
{
    public const string MetricsFile = "alpha_metrics.parquet";
    public const string StripFile = "walk_strip.png";
    public const string WalkWeightsFile = "walk.safetensors";

    /// <summary>Builds and trains the walk a spec asks for; the caller disposes it.</summary>
    public static (ILatentWalk Walk, IReadOnlyList<double> Losses, TimeSpan TrainingTime) Train(IImageGenerator generator, WalkExperimentSpec spec, ImageTransform transform,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default) =>
        WalkStudy.Train(generator, spec, transform, progress, cancel);

    /// <summary>
    /// Evaluates a trained walk along α and writes the experiment's files (the joint regime trains its walk elsewhere);
    /// the table's rows name <paramref name="origin"/> when a sweep publishes them.
    /// </summary>
    public static async Task<WalkExperimentResult> EvaluateAsync(IImageGenerator generator, IReadOnlyList<string> classNames, WalkExperimentSpec spec,
        ImageTransform transform, ILatentWalk walk, IReadOnlyList<double> losses, TimeSpan trainingTime, string outputFolder,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default, RowOrigin? origin = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rows = WalkStudy.Evaluate(generator, classNames, spec, transform, walk, progress, cancel);
        var evaluationTime = clock.Elapsed;
        Directory.CreateDirectory(outputFolder);
        var metricsPath = Path.Combine(outputFolder, MetricsFile);
        await ParquetFile.WriteAtomicallyAsync(metricsPath, rows, origin, cancel);
        // A worker without SkiaSharp's native library (e.g. a slimmed GPU bundle) still delivers the metrics.
        string? stripPath = ImageGrid.IsAvailable ? Path.Combine(outputFolder, StripFile) : null;
        if (stripPath is not null)
        {
            WalkStudy.WriteStrip(generator, transform, walk, spec, stripPath);
            using var frames = ExplorerFrames.Render(generator, transform, walk, spec.Alphas ?? WalkTypes.TestGridOf(walk, transform, generator.ImageSize), spec.Classes, spec.Seed, cancel: cancel);
            ExplorerFrameFiles.Write(frames, classNames, generator.Name, spec.Transform, spec.Walk, spec.Regime, outputFolder);
        }
        if (walk is nn.Module module)
        {
            module.save_safetensors(Path.Combine(outputFolder, WalkWeightsFile));
        }
        return new WalkExperimentResult(rows, losses, metricsPath, stripPath, trainingTime, evaluationTime);
    }

    /// <summary>Builds the untrained walk a spec asks for.</summary>
    public static ILatentWalk CreateWalk(WalkExperimentSpec spec, ImageTransform transform, IImageGenerator generator) =>
        WalkStudy.CreateWalk(spec, transform, generator);
}
