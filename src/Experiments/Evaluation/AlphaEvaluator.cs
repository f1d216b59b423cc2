using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Evaluation;

/// <summary>
/// The masked L2 at one test α for one class (or "all" classes pooled) in one evaluation (which walk dimensions α
/// moves: <see cref="EvaluationMode"/>): the walk's error against the edit's target, and the no-walk baseline (the
/// target compared with the unmoved G(z)), as mean and std over latents.
/// </summary>
public sealed record AlphaMetric(string ClassName, double Alpha, double L2Mean, double L2Std, double BaselineL2Mean, double BaselineL2Std, int Count,
    string Evaluation = EvaluationMode.EqualName);

/// <summary>Settings of an evaluation along α.</summary>
/// <param name="LatentsPerClass">Held-out latents per class (at least 256 for reported numbers).</param>
/// <param name="Batch">Latents per forward pass.</param>
/// <param name="Seed">Seeds the held-out latents (use a different seed from training).</param>
/// <param name="Classes">Class indices to evaluate; empty = all.</param>
/// <param name="Grid">α values; null = the transform's test grid for this walk kind.</param>
public sealed record EvaluationOptions(int LatentsPerClass = 256, int Batch = 128, int Seed = 1_000_003, IReadOnlyList<int>? Classes = null, IReadOnlyList<double>? Grid = null);

/// <summary>Measures a walk along the test α grid over held-out latents.</summary>
/// <remarks>
/// The masked L2 is always taken on the generator's own images in [-1, 1] (<see cref="L2Scale"/>): every study, command
/// and sweep reports on this one scale, so one alpha_metrics column never mixes scales.
/// </remarks>
public static class AlphaEvaluator
{
    /// <summary>The pixel range the masked L2 is measured on, as the alpha_metrics table names it.</summary>
    public const string L2Scale = "[-1,1]";

    /// <summary>The name the pooled rows carry in the class column.</summary>
    public const string AllClasses = "all";

    /// <summary>The stage named when a value is not finite.</summary>
    public const string Stage = "evaluation";

    /// <summary>
    /// Per class, evaluation mode and α (then all classes pooled), the walk's and the baseline's masked L2. Every mode
    /// (<see cref="ImageTransform.EvaluationModes"/>) sees the same latents.
    /// </summary>
    public static IReadOnlyList<AlphaMetric> Evaluate(
        IImageGenerator generator, ImageTransform transform, ILatentWalk walk, EvaluationOptions options, IReadOnlyList<string> classNames,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        var grid = options.Grid ?? WalkTypes.TestGridOf(walk, transform, generator.ImageSize);
        var classes = WalkTrainer.ClassPool(generator, options.Classes);
        var modes = transform.EvaluationModes;
        var cells = modes.SelectMany(m => grid.Select(alpha => (Mode: m, Alpha: alpha))).ToArray();
        var walkErrors = cells.Select(_ => new List<double>()).ToArray();
        var baselineErrors = cells.Select(_ => new List<double>()).ToArray();
        var rows = new List<AlphaMetric>();
        var done = 0;
        foreach (var classIndex in classes)
        {
            // Each class gets its own held-out latents, the same for every α and every walk evaluated with this seed.
            var latentRandom = new torch.Generator((ulong)(options.Seed + 7919 * classIndex));
            var perAlphaWalk = cells.Select(_ => new List<double>()).ToArray();
            var perAlphaBaseline = cells.Select(_ => new List<double>()).ToArray();
            for (var start = 0; start < options.LatentsPerClass; start += options.Batch)
            {
                cancel.ThrowIfCancellationRequested();
                var count = Math.Min(options.Batch, options.LatentsPerClass - start);
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                var z = generator.SampleLatents(count, latentRandom);
                var labels = torch.full(count, classIndex, dtype: ScalarType.Int64, device: generator.Device);
                var unmoved = generator.Generate(z, labels);
                for (var a = 0; a < cells.Length; a++)
                {
                    using var alphaScope = torch.NewDisposeScope();
                    var alphas = cells[a].Mode.Alphas(cells[a].Alpha, count).to(generator.Device);
                    var edit = transform.Apply(unmoved, alphas);
                    var steered = generator.Generate(walk.Steer(z, labels, alphas), labels);
                    var walkError = ToDoubles(MaskedL2.PerSample(steered, edit.Images, edit.Mask));
                    var baselineError = ToDoubles(MaskedL2.PerSample(unmoved, edit.Images, edit.Mask));
                    var where = $"class {classNames[classIndex]}, α {cells[a].Alpha}{(modes.Count > 1 ? $" ({cells[a].Mode.Name})" : "")}";
                    FiniteGuard.Numbers(walkError, Stage, where, "masked L2 of G(z'(α))");
                    FiniteGuard.Numbers(baselineError, Stage, where, "masked L2 of the unmoved G(z)");
                    perAlphaWalk[a].AddRange(walkError);
                    perAlphaBaseline[a].AddRange(baselineError);
                }
                done += count;
                progress?.Report(new TrainingProgress(done, classes.Length * options.LatentsPerClass, new Dictionary<string, double>()));
            }
            for (var a = 0; a < cells.Length; a++)
            {
                rows.Add(Summarise(classNames[classIndex], cells[a].Mode.Name, cells[a].Alpha, perAlphaWalk[a], perAlphaBaseline[a]));
                walkErrors[a].AddRange(perAlphaWalk[a]);
                baselineErrors[a].AddRange(perAlphaBaseline[a]);
            }
        }
        if (classes.Length > 1)
        {
            for (var a = 0; a < cells.Length; a++)
            {
                rows.Add(Summarise(AllClasses, cells[a].Mode.Name, cells[a].Alpha, walkErrors[a], baselineErrors[a]));
            }
        }
        return rows;
    }

    private static AlphaMetric Summarise(string className, string evaluation, double alpha, List<double> walk, List<double> baseline)
    {
        var (walkMean, walkStd) = MeanAndStd(walk);
        var (baseMean, baseStd) = MeanAndStd(baseline);
        return new AlphaMetric(className, alpha, walkMean, walkStd, baseMean, baseStd, walk.Count, evaluation);
    }

    /// <summary>Mean and population standard deviation.</summary>
    public static (double Mean, double Std) MeanAndStd(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / values.Count;
        return (mean, Math.Sqrt(variance));
    }

    private static double[] ToDoubles(Tensor values) => values.to(ScalarType.Float64).cpu().data<double>().ToArray();
}
