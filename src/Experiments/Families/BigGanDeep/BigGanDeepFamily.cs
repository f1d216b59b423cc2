using System.Globalization;
using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Walks;

namespace Steerability.Experiments.Families.BigGanDeep;

/// <summary>`biggan-deep`: the PyTorch port's files (pytorch-pretrained-BigGAN: config.json and a state dict), pretrained elsewhere.</summary>
public sealed class BigGanDeepFamily : IGeneratorFamily
{
    public const string FamilyName = "biggan-deep";

    public static readonly FamilySetting WeightsSetting = new("weights", "DIR",
        "The folder with config.json and model.safetensors, pytorch_model.bin or the legacy .bin of the PyTorch port.");

    public static readonly FamilySetting TruncationSetting = new("truncation", "T",
        "Truncation of the latents and of the precomputed batch-norm statistics, in (0, 1]; default 1.");

    public string Name => FamilyName;

    public string Summary => "BigGAN-deep from the PyTorch port's files (needs --weights)";

    public IReadOnlyList<FamilySetting> Settings { get; } = [WeightsSetting, TruncationSetting];

    public bool RunsInSweeps => true;

    /// <summary>The authors' BigGAN walk settings (PAPER.md): this is the generator their values were chosen for.</summary>
    public WalkDefaultsTable Walks => WalkSettings.PretrainedAuthors;

    public FamilyDescription Describe(FamilyValues values, SteerPaths paths, bool checkLocalData = true)
    {
        var folder = values.Text(WeightsSetting.Name)
            ?? throw new FamilySettingException(WeightsSetting.Name, "missing; biggan-deep needs the folder of the PyTorch port's config.json and state dict");
        var truncation = Truncation(values);
        try
        {
            var config = BigGanDeepConfig.FromJsonFile(Path.Combine(folder, BigGanDeepLoader.ConfigFileName));
            BigGanDeepLoader.FindWeightsFile(folder);
            var resolved = values.With(WeightsSetting.Name, Path.GetFullPath(folder)).With(TruncationSetting.Name, truncation.ToString("R", CultureInfo.InvariantCulture));
            return new FamilyDescription(LoadedGenerator.IndexNames(config.ClassCount), config.OutputSize, resolved);
        }
        catch (ModelFileException e)
        {
            throw new FamilySettingException(WeightsSetting.Name, e.Message);
        }
    }

    public LoadedGenerator Load(FamilyValues values, GeneratorRequest request)
    {
        var folder = values.Text(WeightsSetting.Name)!;
        var truncation = Truncation(values);
        try
        {
            var generator = BigGanDeepGenerator.Load(folder, request.Device, truncation);
            return new LoadedGenerator(generator, LoadedGenerator.IndexNames(generator.ClassCount), $"{generator.Name} from {folder} (truncation {truncation})");
        }
        catch (ModelFileException e)
        {
            throw new FamilySettingException(WeightsSetting.Name, e.Message);
        }
    }

    private static double Truncation(FamilyValues values)
    {
        var truncation = values.Number(TruncationSetting.Name, 1.0);
        return truncation > 0 && truncation <= 1
            ? truncation
            : throw new FamilySettingException(TruncationSetting.Name, $"{truncation} is not accepted; use a number in (0, 1]");
    }
}
