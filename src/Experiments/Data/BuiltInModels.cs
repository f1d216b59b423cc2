using Steerability.Experiments.Families.Mnist;
using Steerability.Experiments.Families.Shapes;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;

namespace Steerability.Experiments.Data;

/// <summary>What is needed to train one of the built-in generators: its data, network and training recipe.</summary>
/// <param name="Name">shapes or mnist.</param>
/// <param name="Config">Network shape.</param>
/// <param name="Training">GAN training recipe.</param>
public sealed record BuiltInModel(string Name, DcganConfig Config, GanTrainingOptions Training)
{
    /// <summary>Edits this model uses in its own setting, by name (the rest are the catalog's edits as they are).</summary>
    public IReadOnlyDictionary<string, Func<ImageTransform>> EditVariants { get; init; } = new Dictionary<string, Func<ImageTransform>>();

    /// <summary>The edit <paramref name="name"/> as every study, command and sweep uses it on this model.</summary>
    public ImageTransform Edit(string name) => EditVariants.TryGetValue(name, out var variant) ? variant() : TransformCatalog.Create(name);
}

/// <summary>The generators this project trains itself, on built-in data, at sizes that train in minutes on 2 CPU cores.</summary>
public static class BuiltInModels
{
    /// <summary>Every built-in model name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["shapes", "mnist"];

    /// <summary>Images per class rendered for `shapes`.</summary>
    public const int ShapesPerClass = 1000;

    /// <summary>The seed `shapes` is rendered from.</summary>
    public const int ShapesSeed = 20191907;

    /// <summary>
    /// SNGAN-style: hinge loss, Adam β = (0, 0.9), the discriminator learning twice as fast (TTUR); 6000 steps of 64,
    /// drawn in groups of 4 images of one class for the discriminator's per-class spread feature.
    /// </summary>
    private static readonly GanTrainingOptions ShapesRecipe = new(Steps: 6000, Batch: 64, LearningRate: 2e-4, Beta1: 0.0, Beta2: 0.9, Loss: "hinge", DiscriminatorLearningRate: 4e-4, MinibatchGroup: 4);

    /// <summary>The recipe for <paramref name="name"/>, or null when it is not a built-in model.</summary>
    public static BuiltInModel? TryGet(string name) => name switch
    {
        "shapes" => new BuiltInModel("shapes",
            new DcganConfig(LatentSize: 32, ClassCount: ShapesClassTable.Classes.Count, ImageSize: 32, Channels: 3, Width: 16, ClassEmbeddingSize: 16, Upsampling: DcganConfig.ResizeUpsampling, Placement: DcganConfig.AffinePlacement,
                MaxLatentNorm: 2),
            ShapesRecipe),
        "mnist" => new BuiltInModel("mnist",
            new DcganConfig(LatentSize: 32, ClassCount: 10, ImageSize: MnistDataset.ImageSize, Channels: 3, Width: 16, ClassEmbeddingSize: 16, Upsampling: DcganConfig.ResizeUpsampling),
            ShapesRecipe with { Steps = 4000 })
        {
            // The paper's MNIST setting (§4.4): rotate2d trains on ±20° and is tested from −30° to 30° in steps of 6,
            // past the training range on purpose.
            EditVariants = new Dictionary<string, Func<ImageTransform>>
            {
                ["rotate2d"] = () => new Rotate2dTransform { MaxTrainingDegrees = 20, TestGrid = Enumerable.Range(-5, 11).Select(k => 6.0 * k).ToArray() },
            },
        },
        _ => null,
    };

    /// <summary>The edit <paramref name="transform"/> as used on <paramref name="model"/>: a built-in model's own variant, else the catalog's edit.</summary>
    public static ImageTransform Edit(string model, string transform) => TryGet(model)?.Edit(transform) ?? TransformCatalog.Create(transform);

    /// <summary>The fingerprint <see cref="LoadData"/> would give, without rendering or reading the images.</summary>
    public static string DataFingerprint(string name, string mnistFolder) => name switch
    {
        "shapes" => ShapesDataset.Fingerprint(ShapesPerClass, 32, ShapesSeed),
        "mnist" => MnistDataset.Fingerprint(mnistFolder),
        _ => throw new ArgumentException($"--model: '{name}' is not a built-in model; accepted: {string.Join(", ", Names)}"),
    };

    /// <summary>Loads the training data of <paramref name="name"/>; mnist reads <paramref name="mnistFolder"/>.</summary>
    public static LabelledImages LoadData(string name, string mnistFolder) => name switch
    {
        "shapes" => ShapesDataset.Generate(ShapesPerClass, 32, ShapesSeed).Images,
        "mnist" => MnistDataset.Load(mnistFolder),
        _ => throw new ArgumentException($"--model: '{name}' is not a built-in model; accepted: {string.Join(", ", Names)}"),
    };
}
