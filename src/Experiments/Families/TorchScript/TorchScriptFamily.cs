using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Runtime;

namespace Steerability.Experiments.Families.TorchScript;

/// <summary>`torchscript`: a user's TorchScript generator file, described by a JSON file beside it or by settings.</summary>
public sealed class TorchScriptFamily : IGeneratorFamily
{
    public const string FamilyName = "torchscript";

    public static readonly FamilySetting GeneratorSetting = new("generator", "FILE",
        "A TorchScript generator forward(z [N,d], class [N]) → [N,C,S,S], described by FILE.json or generator.json beside it, or by the flags below.");

    public static readonly FamilySetting LatentSizeSetting = new("latent-size", "D", "torchscript: latent size d (with --image-size, replaces the JSON description).");

    public static readonly FamilySetting ClassesSetting = new("classes", "N", "torchscript: number of classes (0: unconditional; default 0).");

    public static readonly FamilySetting ImageSizeSetting = new("image-size", "S", "torchscript: output side in pixels.");

    public static readonly FamilySetting OutputRangeSetting = new("output-range", "R", "torchscript: [-1,1] (default) or [0,1].");

    public string Name => FamilyName;

    public string Summary => "a TorchScript generator file you bring (needs --generator)";

    public IReadOnlyList<FamilySetting> Settings { get; } = [GeneratorSetting, LatentSizeSetting, ClassesSetting, ImageSizeSetting, OutputRangeSetting];

    public bool RunsInSweeps => false;

    public FamilyDescription Describe(FamilyValues values, SteerPaths paths, bool checkLocalData = true)
    {
        var description = Description(values);
        return new FamilyDescription(LoadedGenerator.IndexNames(description.ClassCount), description.ImageSize, values);
    }

    public LoadedGenerator Load(FamilyValues values, GeneratorRequest request)
    {
        var file = values.Text(GeneratorSetting.Name)!;
        try
        {
            var generator = new TorchScriptGenerator(file, ExplicitDescription(values), request.Device);
            return new LoadedGenerator(generator, LoadedGenerator.IndexNames(generator.ClassCount), $"TorchScript generator {file}");
        }
        catch (ModelFileException e)
        {
            throw new FamilySettingException(GeneratorSetting.Name, e.Message);
        }
    }

    private static TorchScriptGeneratorDescription? ExplicitDescription(FamilyValues values)
    {
        var latentSize = values.WholeNumber(LatentSizeSetting.Name);
        var imageSize = values.WholeNumber(ImageSizeSetting.Name);
        if (latentSize is null && imageSize is null)
        {
            return null;
        }
        var description = new TorchScriptGeneratorDescription
        {
            LatentSize = latentSize ?? throw new FamilySettingException(LatentSizeSetting.Name, "missing; give it together with --image-size"),
            ImageSize = imageSize ?? throw new FamilySettingException(ImageSizeSetting.Name, "missing; give it together with --latent-size"),
            ClassCount = values.WholeNumber(ClassesSetting.Name) ?? 0,
            OutputRange = values.Text(OutputRangeSetting.Name) ?? "[-1,1]",
        };
        try
        {
            description.Validate();
        }
        catch (FormatException e)
        {
            throw new FamilySettingException("latent-size/--classes/--image-size/--output-range", e.Message);
        }
        return description;
    }

    private static TorchScriptGeneratorDescription Description(FamilyValues values)
    {
        var file = values.Text(GeneratorSetting.Name)
            ?? throw new FamilySettingException(GeneratorSetting.Name, "missing; torchscript needs the .pt file of a TorchScript generator");
        if (!File.Exists(file))
        {
            throw new FamilySettingException(GeneratorSetting.Name, $"'{file}' does not exist");
        }
        if (ExplicitDescription(values) is { } explicitDescription)
        {
            return explicitDescription;
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var beside = Path.ChangeExtension(file, ".json");
        var path = File.Exists(beside) ? beside : Path.Combine(folder, TorchScriptGeneratorDescription.DefaultFileName);
        try
        {
            return TorchScriptGeneratorDescription.FromJsonFile(path);
        }
        catch (ModelFileException e)
        {
            throw new FamilySettingException(GeneratorSetting.Name,
                $"{e.Message} (describe the generator in {Path.GetFileName(beside)} or {TorchScriptGeneratorDescription.DefaultFileName}, or with --latent-size, --image-size, --classes, --output-range)");
        }
    }
}
