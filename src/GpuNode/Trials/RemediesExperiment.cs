using Steerability.Experiments.Data;
using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Steerability.GpuNode.Trials;

/// <summary>Settings of the remedies study (paper §4.4).</summary>
/// <param name="GanSteps">Generator training steps for every regime (null: the model's recipe).</param>
/// <param name="WalkSteps">Post-hoc walk steps for the plain and augmented regimes.</param>
/// <param name="WalkLearningRate">The post-hoc walk's Adam learning rate (the authors: 5e-3).</param>
/// <param name="AugmentedShare">Share of real images edited in the augmented and joint regimes.</param>
public sealed record RemediesSpec(string Model, string Transform, IReadOnlyList<string> Regimes, int? GanSteps, int WalkSteps, int WalkBatch,
    double WalkLearningRate, double AugmentedShare, int EvaluationLatents, int Seed);

/// <summary>
/// Trains the generator three ways — plain (on the data), augmented (on edit-augmented data) and joint (G and w
/// together on augmented data) — learns the walk post hoc where G was trained alone, and evaluates all of them on
/// the same held-out latents, with the masked L2 on images scaled to [0, 1]. Writes OUT/alpha_metrics.parquet with
/// a regime column.
/// </summary>
public static class RemediesExperiment
{
    /// <summary>Regimes in the order they are reported.</summary>
    public static IReadOnlyList<string> Regimes { get; } = ["plain", "augmented", "joint"];

    /// <summary>The transform as the study trains it: mnist rotate2d uses the paper's training range of ±20°.</summary>
    public static ImageTransform TransformFor(string model, string transform) =>
        model == "mnist" && transform == "rotate2d" ? new Rotate2dTransform { MaxTrainingDegrees = 20 } : TransformCatalog.Create(transform);

    /// <summary>The evaluation grid: mnist rotate2d −30…30 in steps of 6 (beyond the training range on purpose), else the transform's linear grid.</summary>
    public static IReadOnlyList<double> GridFor(string model, ImageTransform transform, int imageSize) =>
        model == "mnist" && transform.Name == "rotate2d"
            ? Enumerable.Range(-5, 11).Select(k => 6.0 * k).ToArray()
            : transform.LinearTestGrid(imageSize);

    public static async Task<IReadOnlyList<AlphaMetricRow>> RunAsync(GeneratorStore store, RemediesSpec spec, Device device, string? dataFolder, string outputFolder,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancel = default)
    {
        var model = BuiltInModels.TryGet(spec.Model) ?? throw new ArgumentException($"--model: '{spec.Model}' is not a model");
        var recipe = spec.GanSteps is { } steps ? model.Training with { Steps = steps } : model.Training;
        var transform = TransformFor(spec.Model, spec.Transform);
        var augmentation = new EditAugmentation(transform, spec.AugmentedShare, model.Config.ImageSize);
        var grid = GridFor(spec.Model, transform, model.Config.ImageSize);
        var rows = new List<AlphaMetricRow>();
        foreach (var regime in spec.Regimes)
        {
            Report(progress, regime, "generator");
            var (generator, walk) = regime switch
            {
                "plain" => PostHoc(store.GetOrTrain(spec.Model, device, dataFolder, recipe, GanProgress(progress, regime), cancel: cancel).Generator, transform, spec, progress, regime, cancel),
                "augmented" => PostHoc(store.GetOrTrain(spec.Model, device, dataFolder, recipe, GanProgress(progress, regime),
                    regime: $"augmented-{spec.Transform}-{spec.AugmentedShare:F3}", editRealBatch: augmentation.Apply, cancel: cancel).Generator, transform, spec, progress, regime, cancel),
                "joint" => Joint(store, spec, recipe, transform, augmentation, device, dataFolder, progress, cancel),
                _ => throw new ArgumentException($"--regimes: '{regime}' is not a regime; accepted: {string.Join(", ", Regimes)}"),
            };
            using (generator)
            using (walk)
            {
                Report(progress, regime, "evaluate");
                var metrics = AlphaEvaluator.Evaluate(generator, transform, walk,
                    new EvaluationOptions(spec.EvaluationLatents, Seed: 1_000_003 + spec.Seed, Grid: grid, UnitRange: true), generator.ClassNames, cancel: cancel);
                rows.AddRange(metrics.Select(m => new AlphaMetricRow
                {
                    Model = spec.Model, Class = m.ClassName, Transform = spec.Transform, Walk = "linear", Regime = regime,
                    Alpha = m.Alpha, L2Mean = m.L2Mean, L2Std = m.L2Std, BaselineL2Mean = m.BaselineL2Mean, BaselineL2Std = m.BaselineL2Std, N = m.Count,
                }));
            }
        }
        Directory.CreateDirectory(outputFolder);
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(outputFolder, WalkExperiment.MetricsFile), rows, cancel);
        return rows;
    }

    private static (DcganGenerator, ILatentWalk) PostHoc(DcganGenerator generator, ImageTransform transform, RemediesSpec spec,
        IProgress<ExperimentProgress>? progress, string regime, CancellationToken cancel)
    {
        Report(progress, regime, "walk");
        var walk = new LinearWalk(transform, generator.LatentSize, generator.ImageSize, generator.ClassCount, false, new torch.Generator((ulong)spec.Seed), generator.Device);
        WalkTrainer.Train(generator, transform, walk, new WalkTrainingOptions(spec.WalkSteps, spec.WalkBatch, spec.WalkLearningRate, spec.Seed),
            new ProgressCallback<TrainingProgress>(p => progress?.Report(new ExperimentProgress($"{regime} walk", p.Step, p.TotalSteps, p.Losses["masked_l2"]))), cancel);
        return (generator, walk);
    }

    private static (DcganGenerator, ILatentWalk) Joint(GeneratorStore store, RemediesSpec spec, GanTrainingOptions recipe, ImageTransform transform,
        EditAugmentation augmentation, Device device, string? dataFolder, IProgress<ExperimentProgress>? progress, CancellationToken cancel)
    {
        var model = BuiltInModels.TryGet(spec.Model)!;
        var regime = $"joint-{spec.Transform}-{spec.AugmentedShare:F3}";
        var (key, folder) = store.CheckpointFolder(spec.Model, model.Config, recipe, regime + $"-walklr{spec.WalkLearningRate}", dataFolder);
        var walkPath = Path.Combine(folder, WalkExperiment.WalkWeightsFile);
        if (File.Exists(Path.Combine(folder, GeneratorCheckpoint.ManifestFile)) && File.Exists(walkPath))
        {
            var loaded = GeneratorCheckpoint.Load(folder, device);
            var saved = new LinearWalk(transform, loaded.LatentSize, loaded.ImageSize, loaded.ClassCount, false, new torch.Generator(1), device);
            saved.load_safetensors(walkPath);
            return (loaded, saved);
        }
        var data = store.LoadData(spec.Model, dataFolder);
        var (network, walk) = JointTrainer.Train(data, model.Config, recipe, transform, augmentation, spec.WalkLearningRate, device,
            new ProgressCallback<TrainingProgress>(p => progress?.Report(new ExperimentProgress("joint G + w", p.Step, p.TotalSteps, p.Losses["masked_l2"]))), cancel);
        GeneratorCheckpoint.Save(folder, network, new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion, spec.Model, model.Config,
            data.ClassNames, data.Fingerprint, recipe, regime, GeneratorCheckpoint.CodeVersion, key));
        walk.save_safetensors(walkPath);
        var generator = new DcganGenerator(spec.Model, model.Config, network, data.ClassNames, device);
        GeneratorStore.WriteSamples(generator, Path.Combine(folder, GeneratorCheckpoint.SamplesFile));
        return (generator, walk);
    }

    private static IProgress<TrainingProgress> GanProgress(IProgress<ExperimentProgress>? progress, string regime) =>
        new ProgressCallback<TrainingProgress>(p => progress?.Report(new ExperimentProgress($"{regime} generator", p.Step, p.TotalSteps, null)));

    private static void Report(IProgress<ExperimentProgress>? progress, string regime, string phase) =>
        progress?.Report(new ExperimentProgress($"{regime} {phase}", 0, 1, null));
}
