using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;

namespace Steerability.Experiments.Families;

/// <summary>
/// A family whose DCGAN this project trains itself on data it has: its network, recipe and data are the family's;
/// checkpoints are kept in the generator store and reused by every command and sweep that asks for the same one.
/// </summary>
public abstract class TrainedHereFamily : IGeneratorFamily
{
    /// <summary>
    /// SNGAN-style: hinge loss, Adam β = (0, 0.9), the discriminator learning twice as fast (TTUR); 6000 steps of 64,
    /// drawn in groups of 4 images of one class for the discriminator's per-class spread feature.
    /// </summary>
    protected static readonly GanTrainingOptions SnganRecipe = new(Steps: 6000, Batch: 64, LearningRate: 2e-4, Beta1: 0.0, Beta2: 0.9, Loss: "hinge",
        DiscriminatorLearningRate: 4e-4, MinibatchGroup: 4);

    public static readonly FamilySetting CheckpointSetting = new("checkpoint", "DIR",
        "Use this generator checkpoint folder (checkpoint.json + generator.safetensors) instead of training or reusing one.", InSweeps: false);

    public static readonly FamilySetting GanStepsSetting = new("gan-steps", "N",
        "Generator training steps when no checkpoint exists (default: the family's recipe).", InSweeps: false);

    public abstract string Name { get; }

    public abstract string Summary { get; }

    /// <summary>The generator's network shape.</summary>
    public abstract DcganConfig Config { get; }

    /// <summary>The GAN training recipe (a sweep's generator budget replaces its steps and batch).</summary>
    public abstract GanTrainingOptions Recipe { get; }

    /// <summary>The class names, without reading the data.</summary>
    public abstract IReadOnlyList<string> ClassNames { get; }

    public virtual bool RunsInSweeps => true;

    public virtual IReadOnlyList<FamilySetting> Settings => [CheckpointSetting, GanStepsSetting];

    /// <summary>Edits this family uses in its own setting, by name (the rest are the catalog's edits as they are).</summary>
    protected virtual IReadOnlyDictionary<string, Func<ImageTransform>> EditVariants { get; } = new Dictionary<string, Func<ImageTransform>>();

    public ImageTransform Edit(string transform) => EditVariants.TryGetValue(transform, out var variant) ? variant() : TransformCatalog.Create(transform);

    /// <summary>The training images.</summary>
    public abstract LabelledImages LoadData(FamilyValues values, SteerPaths paths);

    /// <summary>The fingerprint <see cref="LoadData"/> would give, without reading the images.</summary>
    public abstract string DataFingerprint(FamilyValues values, SteerPaths paths);

    /// <summary>Checks that the data can be read, before any work (a family reading a folder reads a little of it).</summary>
    protected virtual void CheckData(FamilyValues values, SteerPaths paths)
    {
    }

    public bool HasTrainingData => true;

    public LabelledImages? TrainingData(FamilyValues values, SteerPaths paths) => LoadData(values, paths);

    /// <summary>False when the values name a checkpoint to use: nothing is trained for it.</summary>
    public bool NeedsTraining(FamilyValues values) => values.Text(CheckpointSetting.Name) is null;

    /// <summary>The recipe with the `gan-steps` setting applied.</summary>
    public GanTrainingOptions RecipeFor(FamilyValues values) =>
        values.WholeNumber(GanStepsSetting.Name) is { } steps ? Recipe with { Steps = steps } : Recipe;

    public FamilyDescription Describe(FamilyValues values, SteerPaths paths, bool checkLocalData = true)
    {
        if (values.WholeNumber(GanStepsSetting.Name) is { } steps && steps <= 0)
        {
            throw new FamilySettingException(GanStepsSetting.Name, $"{steps} is not accepted; use a whole number above 0");
        }
        if (values.Text(CheckpointSetting.Name) is { } checkpoint)
        {
            var folder = Path.GetFullPath(checkpoint);
            try
            {
                var manifest = GeneratorCheckpoint.ReadManifest(folder);
                if (!File.Exists(Path.Combine(folder, GeneratorCheckpoint.WeightsFile)))
                {
                    throw new FamilySettingException(CheckpointSetting.Name, $"'{checkpoint}' has no {GeneratorCheckpoint.WeightsFile}");
                }
                if (manifest.Model != Name)
                {
                    throw new FamilySettingException(CheckpointSetting.Name, $"'{checkpoint}' holds a '{manifest.Model}' generator but --model is '{Name}'");
                }
                return new FamilyDescription(manifest.ClassNames, manifest.Config.ImageSize, values.With(CheckpointSetting.Name, folder));
            }
            catch (CheckpointException e)
            {
                throw new FamilySettingException(CheckpointSetting.Name, e.Message);
            }
        }
        if (checkLocalData)
        {
            CheckData(values, paths);
        }
        return new FamilyDescription(ClassNames, Config.ImageSize, values);
    }

    public LoadedGenerator Load(FamilyValues values, GeneratorRequest request)
    {
        if ((values.Text(CheckpointSetting.Name) ?? request.Checkpoint) is { } checkpoint)
        {
            try
            {
                var loaded = GeneratorCheckpoint.Load(checkpoint, request.Device);
                return new LoadedGenerator(loaded, loaded.ClassNames, $"checkpoint {Path.GetFullPath(checkpoint)}", checkpoint);
            }
            catch (CheckpointException e)
            {
                throw new FamilySettingException(CheckpointSetting.Name, e.Message);
            }
        }
        var stored = new GeneratorStore(request.Paths).GetOrTrain(this, values, request.Device, RecipeFor(values), request.TrainingProgress, cancel: request.Cancel);
        var note = stored.Reused
            ? $"generator: reusing {stored.Folder}"
            : $"generator: trained and saved to {stored.Folder} (samples: {Path.Combine(stored.Folder, GeneratorCheckpoint.SamplesFile)})";
        return new LoadedGenerator(stored.Generator, stored.Generator.ClassNames, stored.Folder, stored.Folder, note);
    }
}
