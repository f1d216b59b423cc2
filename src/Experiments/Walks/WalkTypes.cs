using Steerability.Experiments.Generators;
using Steerability.Experiments.Transforms;
using TorchSharp;

namespace Steerability.Experiments.Walks;

/// <summary>One kind of walk: how to build it, its test grid, and what it supports.</summary>
/// <param name="Name">The name on the command line, in specs and in the walk column.</param>
/// <param name="HasPerClassVectors">True when the walk can keep one set of vectors per class (--per-class).</param>
/// <param name="TrainsWithGenerator">True when the joint regime can train it together with G (the paper's linear walk).</param>
/// <param name="Create">Builds the untrained walk for an edit, a generator, per-class or shared, and a seed.</param>
/// <param name="TestGrid">The edit's test α grid for this walk at an image side.</param>
/// <param name="EditOf">The edit this walk learns and is measured on, given the named one (nonlinear colour: luminance).</param>
public sealed record WalkType(string Name, bool HasPerClassVectors, bool TrainsWithGenerator,
    Func<ImageTransform, IImageGenerator, bool, int, ILatentWalk> Create, Func<ImageTransform, int, IReadOnlyList<double>> TestGrid,
    Func<ImageTransform, ImageTransform> EditOf);

/// <summary>The one catalog of walk types.</summary>
public static class WalkTypes
{
    /// <summary>z + α·w (one w per edit dimension, or per class and dimension).</summary>
    public static WalkType Linear { get; } = new("linear", HasPerClassVectors: true, TrainsWithGenerator: true,
        (edit, generator, perClass, seed) => new LinearWalk(edit, generator.LatentSize, generator.ImageSize, generator.ClassCount, perClass,
            new torch.Generator((ulong)seed), generator.Device),
        (edit, imageSize) => edit.LinearTestGrid(imageSize), edit => edit);

    /// <summary>Repeated small learned steps z ← z + f(z) (the edit's nonlinear step ε each).</summary>
    public static WalkType Nonlinear { get; } = new("nonlinear", HasPerClassVectors: false, TrainsWithGenerator: false,
        (edit, generator, _, seed) => new NonlinearWalk(edit, generator.LatentSize, generator.ImageSize, generator.Device, new torch.Generator((ulong)seed)),
        (edit, imageSize) => edit.NonlinearTestGrid(imageSize), edit => edit.NonlinearEdit);

    public static IReadOnlyList<WalkType> All { get; } = [Linear, Nonlinear];

    public static IReadOnlyList<string> Names { get; } = All.Select(w => w.Name).ToArray();

    public static WalkType? TryGet(string name) => All.FirstOrDefault(w => w.Name == name);

    public static WalkType Get(string name) =>
        TryGet(name) ?? throw new ArgumentException($"--walk: '{name}' is not a walk type; accepted: {string.Join(", ", Names)}");

    /// <summary>The test grid of a trained walk (by its kind) for an edit at an image side.</summary>
    public static IReadOnlyList<double> TestGridOf(ILatentWalk walk, ImageTransform edit, int imageSize) => Get(walk.Kind).TestGrid(edit, imageSize);
}
