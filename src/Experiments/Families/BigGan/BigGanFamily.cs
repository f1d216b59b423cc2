using System.Globalization;
using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Runtime;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// `biggan`: BigGAN (not deep), the generator the paper's authors used, from BigGAN-PyTorch's G state dict (its
/// TF-Hub converter's output or its own checkpoints; torch.save zip or legacy, or safetensors), layout read from the file.
/// </summary>
public sealed class BigGanFamily : IGeneratorFamily
{
    public const string FamilyName = "biggan";

    public static readonly FamilySetting WeightsSetting = new("weights", "FILE",
        "BigGAN-PyTorch's G state dict (G_ema.pth, the TF-Hub converter's .pth, or .safetensors); its layout (128, 256, 512) is read from it.");

    public static readonly FamilySetting TruncationSetting = new("truncation", "T",
        "The scale of the truncated-normal latents in [-2, 2], in (0, 1] (the authors: 1 in training, 0.5 for attributes); default 1.");

    public string Name => FamilyName;

    public string Summary => "BigGAN (not deep) from BigGAN-PyTorch's G state dict, the paper's generator (needs --weights)";

    public IReadOnlyList<FamilySetting> Settings { get; } = [WeightsSetting, TruncationSetting];

    public bool RunsInSweeps => true;

    public FamilyDescription Describe(FamilyValues values, SteerPaths paths, bool checkLocalData = true)
    {
        var weights = values.Text(WeightsSetting.Name)
            ?? throw new FamilySettingException(WeightsSetting.Name, "missing; biggan needs the G state dict of BigGAN-PyTorch");
        var truncation = Truncation(values);
        // The layout is checked against every key and shape of the file, so a wrong file stops here, before any work.
        using var generator = Read(values, weights, truncation, TorchSharp.torch.CPU);
        var resolved = values.With(WeightsSetting.Name, Path.GetFullPath(weights)).With(TruncationSetting.Name, truncation.ToString("R", CultureInfo.InvariantCulture));
        return new FamilyDescription(LoadedGenerator.IndexNames(generator.ClassCount), generator.ImageSize, resolved);
    }

    public LoadedGenerator Load(FamilyValues values, GeneratorRequest request)
    {
        var weights = values.Text(WeightsSetting.Name)!;
        var truncation = Truncation(values);
        var generator = Read(values, weights, truncation, request.Device);
        return new LoadedGenerator(generator, LoadedGenerator.IndexNames(generator.ClassCount), $"{generator.Name} from {weights} (truncation {truncation})");
    }

    private static BigGanGenerator Read(FamilyValues values, string weights, double truncation, TorchSharp.torch.Device device)
    {
        try
        {
            return BigGanGenerator.Load(weights, configPath: null, device, truncation);
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
