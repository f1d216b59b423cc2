using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Imaging;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Studies;

/// <summary>One walk experiment: which generator, transform and walk, and how long to train and evaluate.</summary>
/// <param name="Classes">Class indices to train and evaluate on; empty = all classes.</param>
/// <param name="Alphas">The α grid to evaluate and show; null = the transform's paper grid for this walk type.</param>
public sealed record WalkExperimentSpec(
    string Model, string Transform, string Walk, IReadOnlyList<int> Classes, bool PerClass,
    int Steps, int Batch, int Seed, int EvaluationLatents, double LearningRate, string Regime = "plain",
    IReadOnlyList<double>? Alphas = null);

/// <summary>Progress events of a study, by phase (train, evaluate, measure).</summary>
public sealed record ExperimentProgress(string Phase, int Done, int Total, double? Loss);

/// <summary>
/// One row of the alpha_metrics table, as the walk study gives it and as it is stored: a walk's masked L2 at one α for
/// one class or "all". <paramref name="PerClass"/> is true when a linear walk had one set of vectors per class;
/// <paramref name="Regime"/> is the generator's training regime (plain, augmented or joint); <paramref name="N"/> the
/// held-out latents behind the row; <paramref name="Evaluation"/> which walk dimensions α moved
/// (<see cref="EvaluationMode"/>): `equal` (all of them, the headline table: the paper's figure) or, for color, one
/// channel (`red`, `green`, `blue`).
/// </summary>
/// <remarks>
/// Schema versions: 1 (no schema_version column) had no named scale, and `steer remedies` wrote its masked L2 on
/// [0, 1] images, 4× below a sweep's; 2 measures every masked L2 on [-1, 1] and names the scale in l2_scale; 3 adds
/// the evaluation column (version 2 evaluated color with latent i moving channel i mod 3, all pooled in one row, read
/// back as evaluation `cycled`), measures the color and brightness limits on luminance (sampled pixels) and states
/// each limit's α and left-out classes. A sweep never mixes versions (it is checked when its tables are read).
/// </remarks>
public sealed record WalkMetricRecord(string Model, string Class, string Transform, string Walk, bool PerClass, string Regime,
    double Alpha, double L2Mean, double L2Std, double BaselineL2Mean, double BaselineL2Std, int N, string Evaluation = EvaluationMode.EqualName)
{
    /// <summary>The version this code writes, of alpha_metrics and of the limits tables.</summary>
    public const int CurrentSchemaVersion = 3;

    /// <summary>The evaluation value version 2 color rows are read back with: latent i moved channel i mod 3, pooled.</summary>
    public const string CycledEvaluation = "cycled";

    /// <summary>Which meaning of the masked L2 columns the row has (see the remarks).</summary>
    public int SchemaVersion => CurrentSchemaVersion;

    /// <summary>The pixel range the masked L2 columns are measured on.</summary>
    public string L2Scale => AlphaEvaluator.L2Scale;
}

/// <summary>What the walk study measured, and how long it took.</summary>
public sealed record WalkStudyResult(IReadOnlyList<WalkMetricRecord> Rows, IReadOnlyList<double> Losses, TimeSpan TrainingTime, TimeSpan EvaluationTime);

/// <summary>
/// The walk study as a plain procedure: trains a walk on a generator and measures it along the test α grid,
/// returning rows; writing them is the caller's (a command or a sweep node).
/// </summary>
public static class WalkStudy
{
    /// <summary>Classes shown in the strip.</summary>
    private const int StripClasses = 4;

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

    /// <summary>Measures a trained walk along the spec's α grid (the joint regime trains its walk elsewhere).</summary>
    public static IReadOnlyList<WalkMetricRecord> Evaluate(IImageGenerator generator, IReadOnlyList<string> classNames, WalkExperimentSpec spec,
        ImageTransform transform, ILatentWalk walk, IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var metrics = AlphaEvaluator.Evaluate(generator, transform, walk, new EvaluationOptions(spec.EvaluationLatents, Classes: spec.Classes, Grid: spec.Alphas), classNames,
            new ProgressCallback<TrainingProgress>(p => progress?.Report(new ExperimentProgress("evaluate", p.Step, p.TotalSteps, null))), cancel);
        return metrics.Select(m => new WalkMetricRecord(generator.Name, m.ClassName, spec.Transform, spec.Walk, spec.PerClass, spec.Regime,
            m.Alpha, m.L2Mean, m.L2Std, m.BaselineL2Mean, m.BaselineL2Std, m.Count, m.Evaluation)).ToList();
    }

    /// <summary>Trains and measures one walk; the walk is disposed at the end.</summary>
    public static WalkStudyResult Run(IImageGenerator generator, IReadOnlyList<string> classNames, WalkExperimentSpec spec, ImageTransform transform,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var (walk, losses, trainingTime) = Train(generator, spec, transform, progress, cancel);
        using (walk)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var rows = Evaluate(generator, classNames, spec, transform, walk, progress, cancel);
            return new WalkStudyResult(rows, losses, trainingTime, clock.Elapsed);
        }
    }

    /// <summary>Builds the untrained walk a spec asks for.</summary>
    public static ILatentWalk CreateWalk(WalkExperimentSpec spec, ImageTransform transform, IImageGenerator generator) =>
        WalkTypes.Get(spec.Walk).Create(transform, generator, spec.PerClass, spec.Seed);

    /// <summary>Per shown class two rows across the α grid: G(z'(α)) and, beneath, the target edit(G(z), α); written as a PNG.</summary>
    public static void WriteStrip(IImageGenerator generator, ImageTransform transform, ILatentWalk walk, WalkExperimentSpec spec, string path)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grid = spec.Alphas ?? WalkTypes.TestGridOf(walk, transform, generator.ImageSize);
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
                // Every walk dimension moves by α (color: all three channels), as the headline evaluation.
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
