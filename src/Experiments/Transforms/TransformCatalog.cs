namespace Steerability.Experiments.Transforms;

/// <summary>The transforms of the paper, by the names the command line and results use.</summary>
public static class TransformCatalog
{
    /// <summary>Every transform name, in the paper's order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["zoom", "shiftx", "shifty", "brightness", "color", "rotate2d", "rotate3d"];

    /// <summary>Creates the transform called <paramref name="name"/>, or null when there is none.</summary>
    public static ImageTransform? TryCreate(string name) => name switch
    {
        "zoom" => new ZoomTransform(),
        "shiftx" => new ShiftTransform(vertical: false),
        "shifty" => new ShiftTransform(vertical: true),
        "brightness" => new BrightnessTransform(),
        "color" => new ColorTransform(),
        "rotate2d" => new Rotate2dTransform(),
        "rotate3d" => new Rotate3dTransform(),
        _ => null,
    };

    /// <summary>Creates the transform called <paramref name="name"/>; throws naming the accepted names otherwise.</summary>
    public static ImageTransform Create(string name) =>
        TryCreate(name) ?? throw new ArgumentException($"--transform: '{name}' is not a transform; accepted: {string.Join(", ", Names)}");
}
