using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Imaging;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Steerability.GpuNode.Trials;

/// <summary>One walk experiment: which generator, transform and walk, and how long to train and evaluate.</summary>
/// <param name="Classes">Class indices to train and evaluate on; empty = all classes.</param>
/// <param name="Alphas">The α grid to evaluate and show; null = the transform's paper grid for this walk type.</param>
public sealed record WalkExperimentSpec(
    string Model, string Transform, string Walk, IReadOnlyList<int> Classes, bool PerClass,
    int Steps, int Batch, int Seed, int EvaluationLatents, string Regime = "plain", double? LearningRate = null,
    IReadOnlyList<double>? Alphas = null);

/// <summary>What a walk experiment produced.</summary>
public sealed record WalkExperimentResult(IReadOnlyList<AlphaMetricRow> Rows, IReadOnlyList<double> Losses, string MetricsPath, string? StripPath, TimeSpan TrainingTime, TimeSpan EvaluationTime);

/// <summary>Progress events of a walk experiment, by phase (train, evaluate).</summary>
public sealed record ExperimentProgress(string Phase, int Done, int Total, double? Loss);

/// <summary>
/// Trains a walk on a generator and evaluates it along the test α grid; writes OUT/alpha_metrics.parquet,
/// OUT/walk_strip.png (G(z + αw) across α for a few classes, with the target edit under each row) and the walk's weights.
/// </summary>
public static class WalkExperiment
{
    public const string MetricsFile = "alpha_metrics.parquet";
    public const string StripFile = "walk_strip.png";
    public const string WalkWeightsFile = "walk.safetensors";

    /// <summary>Classes shown in the strip.</summary>
    private const int StripClasses = 4;

    public static async Task<WalkExperimentResult> RunAsync(IImageGenerator generator, IReadOnlyList<string> classNames, WalkExperimentSpec spec, string outputFolder,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var transform = TransformCatalog.Create(spec.Transform);
        var trained = Train(generator, spec, transform, progress, cancel);
        using var walk = trained.Walk;
        return await EvaluateAsync(generator, classNames, spec, transform, walk, trained.Losses, trained.TrainingTime, outputFolder, progress, cancel);
    }

    /// <summary>Builds and trains the walk a spec asks for; the caller disposes it.</summary>
    public static (ILatentWalk Walk, IReadOnlyList<double> Losses, TimeSpan TrainingTime) Train(IImageGenerator generator, WalkExperimentSpec spec, ImageTransform transform,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        torch.manual_seed(spec.Seed);
        var walk = CreateWalk(spec, transform, generator);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var losses = WalkTrainer.Train(generator, transform, walk, new WalkTrainingOptions(spec.Steps, spec.Batch, spec.LearningRate, spec.Seed, spec.Classes),
                new ProgressCallback<TrainingProgress>(p => progress?.Report(new ExperimentProgress("train", p.Step, p.TotalSteps, p.Losses["masked_l2"]))), cancel);
            return (walk, losses, clock.Elapsed);
        }
        catch
        {
            walk.Dispose();
            throw;
        }
    }

    /// <summary>Evaluates a trained walk along α and writes the experiment's files (the joint regime trains its walk elsewhere).</summary>
    public static async Task<WalkExperimentResult> EvaluateAsync(IImageGenerator generator, IReadOnlyList<string> classNames, WalkExperimentSpec spec,
        ImageTransform transform, ILatentWalk walk, IReadOnlyList<double> losses, TimeSpan trainingTime, string outputFolder,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var metrics = AlphaEvaluator.Evaluate(generator, transform, walk, new EvaluationOptions(spec.EvaluationLatents, Classes: spec.Classes, Grid: spec.Alphas), classNames,
            new ProgressCallback<TrainingProgress>(p => progress?.Report(new ExperimentProgress("evaluate", p.Step, p.TotalSteps, null))), cancel);
        var evaluationTime = clock.Elapsed;
        var rows = metrics.Select(m => new AlphaMetricRow
        {
            Model = generator.Name, Class = m.ClassName, Transform = spec.Transform, Walk = spec.Walk, PerClass = spec.PerClass, Regime = spec.Regime,
            Alpha = m.Alpha, L2Mean = m.L2Mean, L2Std = m.L2Std, BaselineL2Mean = m.BaselineL2Mean, BaselineL2Std = m.BaselineL2Std, N = m.Count,
        }).ToList();
        Directory.CreateDirectory(outputFolder);
        var metricsPath = Path.Combine(outputFolder, MetricsFile);
        await ParquetFile.WriteAtomicallyAsync(metricsPath, rows, cancel);
        // A worker without SkiaSharp's native library (e.g. a slimmed GPU bundle) still delivers the metrics.
        string? stripPath = ImageGrid.IsAvailable ? Path.Combine(outputFolder, StripFile) : null;
        if (stripPath is not null)
        {
            WriteStrip(generator, transform, walk, spec, stripPath);
            using var frames = ExplorerFrames.Render(generator, transform, walk, TestGrid(generator, transform, walk, spec), spec.Classes, spec.Seed);
            ExplorerFrameFiles.Write(frames, classNames, generator.Name, spec.Transform, spec.Walk, spec.Regime, outputFolder);
        }
        if (walk is nn.Module module)
        {
            module.save_safetensors(Path.Combine(outputFolder, WalkWeightsFile));
        }
        return new WalkExperimentResult(rows, losses, metricsPath, stripPath, trainingTime, evaluationTime);
    }

    /// <summary>Builds the untrained walk a spec asks for.</summary>
    public static ILatentWalk CreateWalk(WalkExperimentSpec spec, ImageTransform transform, IImageGenerator generator) => spec.Walk switch
    {
        "linear" => new LinearWalk(transform, generator.LatentSize, generator.ImageSize, generator.ClassCount, spec.PerClass, new torch.Generator((ulong)spec.Seed), generator.Device),
        "nonlinear" => new NonlinearWalk(transform, generator.LatentSize, generator.ImageSize, generator.Device),
        _ => throw new ArgumentException($"--walk: '{spec.Walk}' is not a walk type; accepted: linear, nonlinear"),
    };

    /// <summary>The α grid a spec evaluates: its own, or the transform's test grid for the walk's type.</summary>
    private static IReadOnlyList<double> TestGrid(IImageGenerator generator, ImageTransform transform, ILatentWalk walk, WalkExperimentSpec spec) =>
        spec.Alphas ?? (walk.Kind == "nonlinear" ? transform.NonlinearTestGrid(generator.ImageSize) : transform.LinearTestGrid(generator.ImageSize));

    /// <summary>Per shown class two rows across the α grid: G(z'(α)) and, beneath, the target edit(G(z), α).</summary>
    private static void WriteStrip(IImageGenerator generator, ImageTransform transform, ILatentWalk walk, WalkExperimentSpec spec, string path)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grid = spec.Alphas ?? (walk.Kind == "nonlinear" ? transform.NonlinearTestGrid(generator.ImageSize) : transform.LinearTestGrid(generator.ImageSize));
        var pool = WalkTrainer.ClassPool(generator, spec.Classes);
        var shown = pool.Take(StripClasses).ToArray();
        var z = generator.SampleLatents(shown.Length, new torch.Generator((ulong)spec.Seed + 99));
        var labels = torch.tensor(shown.Select(c => (long)c).ToArray(), device: generator.Device);
        var unmoved = generator.Generate(z, labels);
        var rows = new List<Tensor>();
        foreach (var i in Enumerable.Range(0, shown.Length))
        {
            var steered = new List<Tensor>();
            var targets = new List<Tensor>();
            foreach (var alpha in grid)
            {
                // Colour moves the red channel in the strip; the evaluation moves each channel in turn.
                var alphas = transform.EvaluationAlphas(alpha, 1).to(generator.Device);
                var zi = z[i..(i + 1)];
                var li = labels[i..(i + 1)];
                steered.Add(generator.Generate(walk.Steer(zi, li, alphas), li));
                var edit = transform.Apply(unmoved[i..(i + 1)], alphas);
                targets.Add(edit.Images * edit.Mask + (1 - edit.Mask) * 0.0f);
            }
            rows.AddRange(steered);
            rows.AddRange(targets);
        }
        ImageGrid.WritePng(torch.cat(rows, 0).clamp(-1, 1), shown.Length * 2, grid.Count, path);
    }
}
