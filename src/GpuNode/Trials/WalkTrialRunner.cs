using System.Diagnostics;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;

namespace Steerability.GpuNode.Trials;

/// <summary>
/// The real science behind a sweep: generator trials train a built-in model's DCGAN, walk trials train a walk in
/// that generator, measure it along the trial's α grid and, on the built-in models, measure its transformation limit.
/// </summary>
public sealed class WalkTrialRunner(SteerPaths paths) : ITrialRunner
{
    public string Name => "walk";

    /// <summary>Evaluation latents per class for trials written before the spec carried them.</summary>
    public const int DefaultEvalLatents = 256;

    /// <summary>Share of a walk trial's progress given to training; evaluation takes the rest.</summary>
    private const double TrainingShare = 0.8;

    public async Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
    {
        var regime = TrainingRegimes.TryGet(trial.Regime)
            ?? throw new NotSupportedException($"regime '{trial.Regime}' is not known; accepted: {string.Join(", ", TrainingRegimes.Names)}");
        if (trial.UserEdit.Length > 0)
        {
            // A user's edit travels with its trial: rebuilt (and checked) here, then found by name like a built-in one.
            UserEdits.Register(UserEdits.FromWire(trial.UserEdit));
        }
        try
        {
            return trial.Kind switch
            {
                "generator" => TrainGenerator(trial, context, ct),
                "walk" when regime.TrainsWalkWithGenerator => await RunJointWalkAsync(trial, context, ct),
                "walk" => await RunWalkAsync(trial, context, ct),
                _ => throw new ArgumentException($"trial kind '{trial.Kind}' is not known; accepted: generator, walk"),
            };
        }
        finally
        {
            // Generators and walks are disposed by now; collecting also frees tensors that escaped a dispose scope
            // (their finalisers release native memory), so the next trial starts with the device's memory free.
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>Trains the model's GAN with the trial's budget and seed; saves the checkpoint and a samples grid.</summary>
    private TrialOutcome TrainGenerator(TrialSpec trial, TrialContext context, CancellationToken ct)
    {
        var model = BuiltInModels.TryGet(trial.Model)
            ?? throw new ArgumentException($"model '{trial.Model}' is not a built-in model; accepted: {string.Join(", ", BuiltInModels.Names)}");
        var recipe = GeneratorRecipe(trial, model);
        var regime = TrainingRegimes.Get(trial.Regime);
        var checkpointRegime = regime.CheckpointName(trial.Transform, AugmentedShare(trial));
        if (CopyTrainedBefore(trial, model, recipe, context))
        {
            return new TrialOutcome(0, "reused");
        }
        var device = ComputeDevice.Resolve(context.Device);
        // Training is synchronous, so one dispose scope on this thread collects the data, its device copy and
        // the network when the trial ends.
        using var scope = torch.NewDisposeScope();
        var data = BuiltInModels.LoadData(trial.Model, paths.MnistFolder);
        var clock = Stopwatch.StartNew();
        // The augmented regime trains G on data of which a share is edited with the trial's transform.
        var augmentation = regime.EditsRealData
            ? new EditAugmentation(model.Edit(trial.Transform), AugmentedShare(trial), model.Config.ImageSize)
            : null;
        var network = GanTrainer.Train(data, model.Config, recipe, device,
            new ProgressCallback<TrainingProgress>(p => context.Progress(0.95 * p.Step / p.TotalSteps)), augmentation is null ? null : augmentation.Apply, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        var key = GeneratorCheckpoint.KeyOf(trial.Model, model.Config, data.Fingerprint, recipe, checkpointRegime);
        var manifest = new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion, trial.Model, model.Config,
            data.ClassNames, data.Fingerprint, recipe, checkpointRegime, GeneratorCheckpoint.CodeVersion, key);
        GeneratorCheckpoint.Save(context.ArtifactDir, network, manifest);
        using var generator = new DcganGenerator(trial.Model, model.Config, network, data.ClassNames, device);
        GeneratorStore.WriteSamples(generator, Path.Combine(context.ArtifactDir, GeneratorCheckpoint.SamplesFile));
        context.Progress(1);
        return new TrialOutcome(trial.Steps * (double)trial.Batch / Math.Max(seconds, 1e-6), "images/s");
    }

    /// <summary>
    /// A generator trained before on this machine (`steer train`, `steer walk`, `steer demo`) from the same data, config,
    /// recipe, seed, regime and code version has the same key: its checkpoint is copied instead of training again.
    /// </summary>
    private bool CopyTrainedBefore(TrialSpec trial, BuiltInModel model, GanTrainingOptions recipe, TrialContext context)
    {
        var folder = StoreFolder(trial);
        string[] files = [GeneratorCheckpoint.ManifestFile, GeneratorCheckpoint.WeightsFile, GeneratorCheckpoint.SamplesFile];
        if (!files.All(f => File.Exists(Path.Combine(folder, f))))
        {
            return false;
        }
        // `steer remedies` trains straight into the store: its checkpoint is already where it belongs.
        var inPlace = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(context.ArtifactDir).TrimEnd(Path.DirectorySeparatorChar);
        foreach (var file in inPlace ? [] : files)
        {
            File.Copy(Path.Combine(folder, file), Path.Combine(context.ArtifactDir, file), overwrite: true);
        }
        context.Progress(1);
        return true;
    }

    /// <summary>The GAN recipe of a generator trial: the model's recipe with the trial's budget and seed.</summary>
    private static GanTrainingOptions GeneratorRecipe(TrialSpec trial, BuiltInModel model) =>
        model.Training with { Steps = trial.Steps, Batch = trial.Batch, Seed = trial.Seed };

    /// <summary>The share of real images the trial's regime edits.</summary>
    private static double AugmentedShare(TrialSpec trial) => trial.AugmentedShare > 0 ? trial.AugmentedShare : EditAugmentation.DefaultShare;

    /// <summary>
    /// Where this machine's generator store keeps the checkpoint of a generator trial (`steer train`, `steer walk`,
    /// `steer remedies` and sweeps share it): same data, config, recipe, seed, regime and code version, same folder.
    /// </summary>
    public string StoreFolder(TrialSpec trial)
    {
        var model = BuiltInModels.TryGet(trial.Model)
            ?? throw new ArgumentException($"model '{trial.Model}' is not a built-in model; accepted: {string.Join(", ", BuiltInModels.Names)}");
        var regime = TrainingRegimes.Get(trial.Regime).CheckpointName(trial.Transform, AugmentedShare(trial));
        return new GeneratorStore(paths).CheckpointFolder(trial.Model, model.Config, GeneratorRecipe(trial, model), regime, paths.MnistFolder).Folder;
    }

    /// <summary>Trains and evaluates one walk in the generator the trial depends on.</summary>
    private async Task<TrialOutcome> RunWalkAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
    {
        var device = ComputeDevice.Resolve(context.Device);
        using var loaded = LoadGenerator(trial, context, device);
        var generator = loaded.Generator;
        var spec = new WalkExperimentSpec(trial.Model, trial.Transform, trial.Walk, ClassIndices(trial.Class, loaded.ClassNames),
            trial.PerClass, trial.Steps, trial.Batch, trial.Seed, trial.EvalLatents > 0 ? trial.EvalLatents : DefaultEvalLatents,
            trial.Regime, LearningRate: trial.LearningRate > 0 ? trial.LearningRate : null, Alphas: trial.Alphas.Length > 0 ? trial.Alphas : null);
        var progress = new ProgressCallback<ExperimentProgress>(p => context.Progress(p.Phase == "train"
            ? TrainingShare * p.Done / Math.Max(1, p.Total)
            : TrainingShare + (1 - TrainingShare) * p.Done / Math.Max(1, p.Total)));
        var transform = BuiltInModels.Edit(trial.Model, trial.Transform);
        var (walk, losses, trainingTime) = WalkExperiment.Train(generator, spec, transform, progress, ct);
        using (walk)
        {
            var result = await WalkExperiment.EvaluateAsync(generator, loaded.ClassNames, spec, transform, walk, losses, trainingTime, context.OutputDir, progress, ct, context.Origin);
            if (result.Rows.Count == 0)
            {
                throw new InvalidOperationException($"walk {trial.Key} produced no alpha_metrics rows");
            }
            await MeasureAttributesAsync(trial, generator, loaded.ClassNames, spec, transform, walk, context, ct);
        }
        return new TrialOutcome(trial.Steps * (double)trial.Batch / Math.Max(trainingTime.TotalSeconds, 1e-6), "images/s");
    }

    /// <summary>
    /// The limits study of the walk just evaluated (attributes, variability and correlation tables, which the report
    /// plots), for the built-in models only: their images are one object on a plain background, which the foreground
    /// detector measures; a pretrained generator's natural images are not.
    /// </summary>
    private async Task MeasureAttributesAsync(TrialSpec trial, IImageGenerator generator, IReadOnlyList<string> classNames, WalkExperimentSpec spec,
        ImageTransform transform, ILatentWalk walk, TrialContext context, CancellationToken ct)
    {
        if (BuiltInModels.TryGet(trial.Model) is null || trial.Weights.Length > 0 || !transform.HasAttribute)
        {
            return;
        }
        using var scope = torch.NewDisposeScope();
        var data = BuiltInModels.LoadData(trial.Model, paths.MnistFolder);
        await LimitsExperiment.MeasureAsync(generator, classNames, data, spec, transform, walk, context.OutputDir, cancel: ct, origin: context.Origin);
    }

    /// <summary>A pretrained generator from the trial's weights (biggan-deep), else the checkpoint of the trial's generator dependency.</summary>
    private static LoadedGenerator LoadGenerator(TrialSpec trial, TrialContext context, torch.Device device)
    {
        if (trial.Weights.Length > 0)
        {
            return LoadedGenerator.BigGanDeep(trial.Weights, trial.Truncation, device);
        }
        if (string.IsNullOrEmpty(context.GeneratorDir))
        {
            throw new InvalidOperationException($"walk {trial.Key} was given no generator checkpoint (generator key '{trial.GeneratorKey}')");
        }
        var checkpoint = GeneratorCheckpoint.Load(context.GeneratorDir, device);
        return new LoadedGenerator(checkpoint, checkpoint.ClassNames, context.GeneratorDir);
    }

    /// <summary>
    /// The joint regime: G, D and a linear walk trained together on augmented data with the trial's generator budget,
    /// then the walk evaluated like any other. It needs no generator trial.
    /// </summary>
    private async Task<TrialOutcome> RunJointWalkAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
    {
        if (!WalkTypes.Get(trial.Walk).TrainsWithGenerator)
        {
            throw new NotSupportedException($"the joint regime trains a linear walk with G (paper §4.4); '{trial.Walk}' is not accepted");
        }
        var model = BuiltInModels.TryGet(trial.Model)
            ?? throw new ArgumentException($"model '{trial.Model}' is not a built-in model; accepted: {string.Join(", ", BuiltInModels.Names)}");
        var device = ComputeDevice.Resolve(context.Device);
        using var scope = torch.NewDisposeScope();
        var data = BuiltInModels.LoadData(trial.Model, paths.MnistFolder);
        var transform = model.Edit(trial.Transform);
        var recipe = model.Training with
        {
            Steps = trial.GeneratorSteps > 0 ? trial.GeneratorSteps : model.Training.Steps,
            Batch = trial.GeneratorBatch > 0 ? trial.GeneratorBatch : model.Training.Batch,
            Seed = trial.Seed,
        };
        var clock = Stopwatch.StartNew();
        var (network, walk) = JointTrainer.Train(data, model.Config, recipe, transform,
            new EditAugmentation(transform, AugmentedShare(trial), model.Config.ImageSize),
            trial.LearningRate > 0 ? trial.LearningRate : transform.DefaultLearningRate, device,
            new ProgressCallback<TrainingProgress>(p => context.Progress(TrainingShare * p.Step / p.TotalSteps)), ct);
        var trainingTime = clock.Elapsed;
        using var generator = new DcganGenerator(trial.Model, model.Config, network, data.ClassNames, device);
        using (walk)
        {
            var spec = new WalkExperimentSpec(trial.Model, trial.Transform, trial.Walk, ClassIndices(trial.Class, generator.ClassNames),
                false, trial.Steps, trial.Batch, trial.Seed, trial.EvalLatents > 0 ? trial.EvalLatents : DefaultEvalLatents,
                trial.Regime, LearningRate: trial.LearningRate > 0 ? trial.LearningRate : null, Alphas: trial.Alphas.Length > 0 ? trial.Alphas : null);
            var progress = new ProgressCallback<ExperimentProgress>(p => context.Progress(TrainingShare + (1 - TrainingShare) * p.Done / Math.Max(1, p.Total)));
            await WalkExperiment.EvaluateAsync(generator, generator.ClassNames, spec, transform, walk, [], trainingTime, context.OutputDir, progress, ct, context.Origin);
            if (transform.HasAttribute)
            {
                await LimitsExperiment.MeasureAsync(generator, generator.ClassNames, data, spec, transform, walk, context.OutputDir, cancel: ct, origin: context.Origin);
            }
        }
        return new TrialOutcome(recipe.Steps * (double)recipe.Batch / Math.Max(trainingTime.TotalSeconds, 1e-6), "images/s");
    }

    /// <summary>`all` → every class (empty list); a label → its index among the generator's classes.</summary>
    public static IReadOnlyList<int> ClassIndices(string label, IReadOnlyList<string> classNames)
    {
        if (label == "all")
        {
            return [];
        }
        var index = classNames.ToList().IndexOf(label);
        return index >= 0
            ? [index]
            : throw new ArgumentException($"class '{label}' is not a class of this generator; accepted: all, {string.Join(", ", classNames)}");
    }
}
