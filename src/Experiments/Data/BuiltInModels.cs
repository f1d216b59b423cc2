using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;

namespace Steerability.Experiments.Data;

/// <summary>What is needed to train one of the built-in generators: its data, network and training recipe.</summary>
/// <param name="Name">shapes or mnist.</param>
/// <param name="Config">Network shape.</param>
/// <param name="Training">GAN training recipe.</param>
public sealed record BuiltInModel(string Name, DcganConfig Config, GanTrainingOptions Training);

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
            ShapesRecipe with { Steps = 4000 }),
        _ => null,
    };

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
