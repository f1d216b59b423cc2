using Steerability.GpuNode.Results;
using Steerability.GpuNode.Contract;
using System.Diagnostics;
using Steerability.Experiments.Families;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;

namespace Steerability.GpuNode.Trials;

/// <summary>
/// The real science behind every command and sweep: a generator trial trains a family's DCGAN, a walk trial trains a
/// walk in its generator, measures it along the trial's α grid and, where the family's training data is here,
/// measures its transformation limit. Each family is found through <see cref="GeneratorFamilies"/>.
/// </summary>
public sealed class WalkTrialRunner(SteerPaths paths) : ITrialRunner
{
    public string Name => "walk";

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
            return trial switch
            {
                GeneratorTrial generator => TrainGenerator(generator, context, ct),
                WalkTrial walk when regime.TrainsWalkWithGenerator => await RunJointWalkAsync(walk, context, ct),
                WalkTrial walk => await RunWalkAsync(walk, context, ct),
                _ => throw new ArgumentException($"trial kind '{trial.Kind}' is not known; accepted: {GeneratorTrial.KindName}, {WalkTrial.KindName}"),
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

    private static FamilyValues Values(TrialSpec trial) => new(trial.ModelSettings);

    /// <summary>Trains the family's GAN with the trial's budget and seed; saves the checkpoint and a samples grid.</summary>
    private TrialOutcome TrainGenerator(GeneratorTrial trial, TrialContext context, CancellationToken ct)
    {
        var family = GeneratorFamilies.TrainedHere(trial.Model);
        var values = Values(trial);
        var recipe = GeneratorRecipe(trial, family);
        var checkpointRegime = TrainingRegimes.Get(trial.Regime).CheckpointName(trial.Transform, trial.AugmentedShare);
        if (CopyTrainedBefore(trial, context))
        {
            return new TrialOutcome(0, "reused");
        }
        var device = ComputeDevice.Resolve(context.Device);
        // Training is synchronous, so one dispose scope on this thread collects the data, its device copy and
        // the network when the trial ends.
        using var scope = torch.NewDisposeScope();
        var data = family.LoadData(values, paths);
        var clock = Stopwatch.StartNew();
        // The augmented regime trains G on data of which a share is edited with the trial's transform.
        var augmentation = TrainingRegimes.Get(trial.Regime).EditsRealData
            ? new EditAugmentation(family.Edit(trial.Transform), trial.AugmentedShare, family.Config.ImageSize)
            : null;
        var network = GanTrainer.Train(data, family.Config, recipe, device,
            new ProgressCallback<TrainingProgress>(p => context.Progress(0.95 * p.Step / p.TotalSteps)), augmentation is null ? null : augmentation.Apply, ct);
        var seconds = clock.Elapsed.TotalSeconds;
        var key = GeneratorCheckpoint.KeyOf(trial.Model, family.Config, data.Fingerprint, recipe, checkpointRegime);
        var manifest = new CheckpointManifest(GeneratorCheckpoint.Format, GeneratorCheckpoint.FormatVersion, trial.Model, family.Config,
            data.ClassNames, data.Fingerprint, recipe, checkpointRegime, GeneratorCheckpoint.CodeVersion, key);
        GeneratorCheckpoint.Save(context.ArtifactDir, network, manifest);
        using var generator = new DcganGenerator(trial.Model, family.Config, network, data.ClassNames, device);
        GeneratorStore.WriteSamples(generator, Path.Combine(context.ArtifactDir, GeneratorCheckpoint.SamplesFile));
        context.Progress(1);
        return new TrialOutcome(trial.Steps * (double)trial.Batch / Math.Max(seconds, 1e-6), "images/s");
    }

    /// <summary>
    /// A generator trained before on this machine (`steer train`, `steer walk`, `steer demo`) from the same data, config,
    /// recipe, seed, regime and code version has the same key: its checkpoint is copied instead of training again.
    /// </summary>
    private bool CopyTrainedBefore(GeneratorTrial trial, TrialContext context)
    {
        var folder = StoreFolder(trial);
        string[] files = [GeneratorCheckpoint.ManifestFile, GeneratorCheckpoint.WeightsFile, GeneratorCheckpoint.SamplesFile];
        if (!files.All(f => File.Exists(Path.Combine(folder, f))))
        {
            return false;
        }
        // A local run trains straight into the store: its checkpoint is already where it belongs.
        var inPlace = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(context.ArtifactDir).TrimEnd(Path.DirectorySeparatorChar);
        foreach (var file in inPlace ? [] : files)
        {
            File.Copy(Path.Combine(folder, file), Path.Combine(context.ArtifactDir, file), overwrite: true);
        }
        context.Progress(1);
        return true;
    }

    /// <summary>The GAN recipe of a generator trial: the family's recipe with the trial's budget and seed.</summary>
    private static GanTrainingOptions GeneratorRecipe(TrialSpec trial, TrainedHereFamily family) =>
        family.Recipe with { Steps = trial.Steps, Batch = trial.Batch, Seed = trial.Seed };

    /// <summary>
    /// Where this machine's generator store keeps the checkpoint of a generator trial (commands and sweeps share it):
    /// same data, config, recipe, seed, regime and code version, same folder.
    /// </summary>
    public string StoreFolder(GeneratorTrial trial)
    {
        var family = GeneratorFamilies.TrainedHere(trial.Model);
        var regime = TrainingRegimes.Get(trial.Regime).CheckpointName(trial.Transform, trial.AugmentedShare);
        return new GeneratorStore(paths).CheckpointFolder(family, Values(trial), GeneratorRecipe(trial, family), regime).Folder;
    }

    /// <summary>The study's description of a walk trial, on a generator with these class names.</summary>
    private static WalkExperimentSpec StudySpec(WalkTrial trial, IReadOnlyList<string> classNames) =>
        new(trial.Model, trial.Transform, trial.Walk, ClassIndices(trial.Class, classNames), trial.PerClass, trial.Steps, trial.Batch, trial.Seed,
            trial.EvalLatents, trial.LearningRate, trial.Regime, trial.Alphas);

    /// <summary>Trains and evaluates one walk in the generator the trial names (or depends on).</summary>
    private async Task<TrialOutcome> RunWalkAsync(WalkTrial trial, TrialContext context, CancellationToken ct)
    {
        var device = ComputeDevice.Resolve(context.Device);
        var family = GeneratorFamilies.Get(trial.Model);
        if (trial.GeneratorKey.Length > 0 && string.IsNullOrEmpty(context.GeneratorDir))
        {
            throw new InvalidOperationException($"walk {trial.Key} was given no generator checkpoint (generator key '{trial.GeneratorKey}')");
        }
        using var loaded = family.Load(Values(trial), new GeneratorRequest(device, paths, context.GeneratorDir, Cancel: ct));
        var generator = loaded.Generator;
        var spec = StudySpec(trial, loaded.ClassNames);
        var progress = new ProgressCallback<ExperimentProgress>(p => context.Progress(p.Phase == "train"
            ? TrainingShare * p.Done / Math.Max(1, p.Total)
            : TrainingShare + (1 - TrainingShare) * p.Done / Math.Max(1, p.Total)));
        // The edit the walk type learns (nonlinear colour is luminance), trained, measured and studied alike.
        var transform = WalkTypes.Get(trial.Walk).EditOf(family.Edit(trial.Transform));
        var (walk, losses, trainingTime) = WalkStudy.Train(generator, spec, transform, progress, ct);
        using (walk)
        {
            var result = await WalkExperiment.EvaluateAsync(generator, loaded.ClassNames, spec, transform, walk, losses, trainingTime, context.OutputDir, progress, ct, context.Origin);
            if (result.Rows.Count == 0)
            {
                throw new InvalidOperationException($"walk {trial.Key} produced no alpha_metrics rows");
            }
            await MeasureAttributesAsync(trial, family, generator, loaded.ClassNames, spec, transform, walk, context, ct);
        }
        return new TrialOutcome(trial.Steps * (double)trial.Batch / Math.Max(trainingTime.TotalSeconds, 1e-6), "images/s");
    }

    /// <summary>
    /// The limits study of the walk just evaluated (attributes, variability and correlation tables, which the report
    /// plots), where the family's training data is here: its images are one object on a plain background, which the
    /// foreground detector measures; a pretrained generator's natural images are not.
    /// </summary>
    private async Task MeasureAttributesAsync(WalkTrial trial, IGeneratorFamily family, IImageGenerator generator, IReadOnlyList<string> classNames,
        WalkExperimentSpec spec, ImageTransform transform, ILatentWalk walk, TrialContext context, CancellationToken ct)
    {
        if (!transform.HasAttribute)
        {
            return;
        }
        using var scope = torch.NewDisposeScope();
        if (family.TrainingData(Values(trial), paths) is not { } data)
        {
            return;
        }
        await LimitsExperiment.MeasureAsync(generator, classNames, data, spec, transform, walk, context.OutputDir, cancel: ct, origin: context.Origin);
    }

    /// <summary>
    /// The joint regime: G, D and a linear walk trained together on augmented data with the trial's budget, then the
    /// walk evaluated like any other. It needs no generator trial.
    /// </summary>
    private async Task<TrialOutcome> RunJointWalkAsync(WalkTrial trial, TrialContext context, CancellationToken ct)
    {
        if (!WalkTypes.Get(trial.Walk).TrainsWithGenerator)
        {
            throw new NotSupportedException($"the joint regime trains a linear walk with G (paper §4.4); '{trial.Walk}' is not accepted");
        }
        var family = GeneratorFamilies.TrainedHere(trial.Model);
        var device = ComputeDevice.Resolve(context.Device);
        using var scope = torch.NewDisposeScope();
        var data = family.LoadData(Values(trial), paths);
        var transform = family.Edit(trial.Transform);
        var recipe = GeneratorRecipe(trial, family);
        var clock = Stopwatch.StartNew();
        var (network, walk) = JointTrainer.Train(data, family.Config, recipe, transform,
            new EditAugmentation(transform, trial.AugmentedShare, family.Config.ImageSize), trial.LearningRate, device,
            new ProgressCallback<TrainingProgress>(p => context.Progress(TrainingShare * p.Step / p.TotalSteps)), ct);
        var trainingTime = clock.Elapsed;
        using var generator = new DcganGenerator(trial.Model, family.Config, network, data.ClassNames, device);
        using (walk)
        {
            var spec = StudySpec(trial, generator.ClassNames);
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
        // A class list (`--class 1,3`) of a command's walk: each label by name or index.
        var indices = new List<int>();
        foreach (var part in label.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var index = classNames.ToList().IndexOf(part);
            indices.Add(index >= 0
                ? index
                : throw new ArgumentException($"class '{part}' is not a class of this generator; accepted: all, {string.Join(", ", classNames)}"));
        }
        return indices;
    }
}
