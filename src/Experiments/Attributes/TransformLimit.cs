using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Attributes;

/// <summary>The measured attribute of G(z'(α)) at one α for one class: mean and std over latents, and the edit's target change.</summary>
public sealed record AttributeAtAlpha(string ClassName, double Alpha, double Mean, double Std, double Expected, bool Follows, int Count);

/// <summary>How far a walk moves one class's attribute: the spread over the α sweep and the α range where it follows the edit.</summary>
/// <param name="Spread">Std of the attribute of G(z'(α)) over all latents and all α of the sweep: the model limit.</param>
/// <param name="LowestFollowed">The most negative (zoom: smallest) α down to which every α follows the edit.</param>
/// <param name="HighestFollowed">The most positive (zoom: largest) α up to which every α follows the edit.</param>
/// <param name="UnmovedSpread">
/// Std of the attribute of G(z) itself over the latents, no walk: how much of the class's variability the generator
/// draws. Set beside the data's std, it tells a generator that missed a class's spread from a walk that cannot go further.
/// </param>
public sealed record ClassLimit(string ClassName, double Spread, double LowestFollowed, double HighestFollowed, double UnmovedSpread);

/// <summary>
/// Measures the transformation limit of a walk: the attribute of G(z'(α)) along the α grid per class, what a
/// perfect walk would give (the unmoved attribute moved as the edit moves it), and where the walk stops following.
/// </summary>
public static class TransformLimit
{
    /// <summary>The stage named when a value is not finite.</summary>
    public const string Stage = "limits";

    /// <summary>
    /// A step of the walk follows the edit when the attribute's mean change from α = identity is at least this share
    /// of the change the edit itself makes (and in the same direction).
    /// </summary>
    public const double FollowTolerance = 0.5;

    /// <summary>
    /// Measures the attribute along <paramref name="grid"/> (the edit's <see cref="ImageTransform.LimitAlphas"/>) for each
    /// class in <paramref name="classes"/>; a grid value moves every walk dimension (<see cref="ImageTransform.EvaluationAlphas"/>).
    /// An attribute with several values per image (luminance) pools them all.
    /// </summary>
    public static (IReadOnlyList<AttributeAtAlpha> Points, IReadOnlyList<ClassLimit> Limits) Measure(
        IImageGenerator generator, ImageTransform transform, ILatentWalk walk, IAttributeDetector detector,
        IReadOnlyList<int> classes, IReadOnlyList<string> classNames, IReadOnlyList<double> grid, int latentsPerClass, int seed, int batch = 128, CancellationToken cancel = default)
    {
        var points = new List<AttributeAtAlpha>();
        var limits = new List<ClassLimit>();
        foreach (var classIndex in classes)
        {
            var latentRandom = new torch.Generator((ulong)(seed + 7919 * classIndex));
            var values = grid.Select(_ => new List<double>()).ToArray();
            var unmoved = new List<double>();
            for (var start = 0; start < latentsPerClass; start += batch)
            {
                cancel.ThrowIfCancellationRequested();
                var count = Math.Min(batch, latentsPerClass - start);
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                var z = generator.SampleLatents(count, latentRandom);
                var labels = torch.full(count, classIndex, dtype: ScalarType.Int64, device: generator.Device);
                var unmovedValues = detector.Measure(generator.Generate(z, labels)).SelectMany(transform.AttributeValues).ToList();
                FiniteGuard.Numbers(unmovedValues, Stage, $"class {classNames[classIndex]}, no walk", "attribute of G(z)");
                unmoved.AddRange(unmovedValues);
                for (var a = 0; a < grid.Count; a++)
                {
                    var alphas = transform.EvaluationAlphas(grid[a], count).to(generator.Device);
                    var images = generator.Generate(walk.Steer(z, labels, alphas), labels);
                    var measured = detector.Measure(images).SelectMany(transform.AttributeValues).ToList();
                    FiniteGuard.Numbers(measured, Stage, $"class {classNames[classIndex]}, α {grid[a]}", "attribute of G(z'(α))");
                    values[a].AddRange(measured);
                }
            }
            var name = classNames[classIndex];
            var unmovedMean = unmoved.Average();
            var follows = new bool[grid.Count];
            for (var a = 0; a < grid.Count; a++)
            {
                var summary = AttributeSpreadSummary.Of(values[a]);
                var expected = transform.ExpectedAttribute(unmovedMean, grid[a]);
                follows[a] = Follows(summary.Mean - unmovedMean, expected - unmovedMean);
                points.Add(new AttributeAtAlpha(name, grid[a], summary.Mean, summary.Std, expected, follows[a], summary.Count));
            }
            var spread = AttributeSpreadSummary.Of(values.SelectMany(v => v).ToArray()).Std;
            var (lowest, highest) = FollowedRange(grid, follows, transform.IdentityAlpha);
            limits.Add(new ClassLimit(name, spread, lowest, highest, AttributeSpreadSummary.Of(unmoved).Std));
        }
        return (points, limits);
    }

    /// <summary>True when the measured change goes the edit's way and covers at least <see cref="FollowTolerance"/> of it.</summary>
    public static bool Follows(double measuredChange, double expectedChange)
    {
        if (Math.Abs(expectedChange) < 1e-9)
        {
            return true;
        }
        return measuredChange / expectedChange >= FollowTolerance;
    }

    /// <summary>Walks outwards from the identity α on each side while every α follows.</summary>
    public static (double Lowest, double Highest) FollowedRange(IReadOnlyList<double> grid, IReadOnlyList<bool> follows, double identity)
    {
        var order = grid.Select((alpha, i) => (alpha, i)).OrderBy(p => p.alpha).ToArray();
        double lowest = identity, highest = identity;
        foreach (var (alpha, i) in order.Where(p => p.alpha > identity))
        {
            if (!follows[i])
            {
                break;
            }
            highest = alpha;
        }
        foreach (var (alpha, i) in order.Where(p => p.alpha < identity).Reverse())
        {
            if (!follows[i])
            {
                break;
            }
            lowest = alpha;
        }
        return (lowest, highest);
    }
}
