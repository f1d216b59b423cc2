using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;

namespace Steerability.Experiments.Families.Shapes;

/// <summary>
/// `shapes`: a class-conditional DCGAN trained here on rendered shapes, one object on a plain background whose true
/// attributes each image keeps, so the detector can be checked against the truth. The embedded default.
/// </summary>
public sealed class ShapesFamily : TrainedHereFamily
{
    public const string FamilyName = "shapes";

    /// <summary>Images per class rendered.</summary>
    public const int PerClass = 1000;

    /// <summary>The seed the data is rendered from.</summary>
    public const int DataSeed = 20191907;

    private const int ImageSide = 32;

    public override string Name => FamilyName;

    public override string Summary => "trained here on rendered shapes (one object on a plain background; the embedded default)";

    public override DcganConfig Config { get; } = new(LatentSize: 32, ClassCount: ShapesClassTable.Classes.Count, ImageSize: ImageSide, Channels: 3, Width: 16,
        ClassEmbeddingSize: 16, Upsampling: DcganConfig.ResizeUpsampling, Placement: DcganConfig.AffinePlacement, MaxLatentNorm: 2);

    public override GanTrainingOptions Recipe => SnganRecipe;

    public override IReadOnlyList<string> ClassNames { get; } = ShapesClassTable.Classes.Select(c => c.Name).ToArray();

    public override LabelledImages LoadData(FamilyValues values, SteerPaths paths) => ShapesDataset.Generate(PerClass, ImageSide, DataSeed).Images;

    public override string DataFingerprint(FamilyValues values, SteerPaths paths) => ShapesDataset.Fingerprint(PerClass, ImageSide, DataSeed);

    /// <summary>rotate2d's limit leaves out the classes whose orientation is not defined.</summary>
    protected override IReadOnlyDictionary<string, Func<ImageTransform>> EditVariants { get; } = new Dictionary<string, Func<ImageTransform>>
    {
        [new Rotate2dTransform().Name] = () => new Rotate2dTransform { ClassesWithoutAttribute = ShapesClassTable.ClassesWithoutOrientation },
    };

    public IReadOnlyList<AttributeError> CheckDetector() => ShapesAttributeValidation.Validate(new ForegroundMomentsDetector(), perClass: 100, seed: 7);
}
