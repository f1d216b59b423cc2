using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Evaluation;

/// <summary>
/// The pictures the report's α explorer shows for one walk, as one sheet of images: a row per (class, held-out latent),
/// and in each row the no-walk image G(z), then G(z'(α)) for every α of the grid, then the target edit(G(z), α) for
/// every α with the pixels outside its mask set to mid-grey.
/// </summary>
/// <param name="Images">[Rows · Columns, C, S, S] in [-1, 1], row-major.</param>
/// <param name="Alphas">The α grid, in column order (both the walk block and the target block).</param>
/// <param name="Classes">Class indices shown, each over <paramref name="LatentsPerClass"/> consecutive rows.</param>
public sealed record ExplorerFrameSheet(Tensor Images, IReadOnlyList<double> Alphas, IReadOnlyList<int> Classes, int LatentsPerClass) : IDisposable
{
    public int Rows => Classes.Count * LatentsPerClass;

    /// <summary>One no-walk column, then one column per α for the walk and one per α for the target.</summary>
    public int Columns => 1 + 2 * Alphas.Count;

    public void Dispose() => Images.Dispose();
}

/// <summary>Renders the explorer's frames for a trained walk (no files: a writer elsewhere packs and stores them).</summary>
public static class ExplorerFrames
{
    /// <summary>Held-out latents shown per class: few enough that a sweep of 14 walks × 12 classes stays small.</summary>
    public const int DefaultLatentsPerClass = 3;

    // Latents drawn from their own stream, apart from the training and evaluation draws, so they are held out.
    private const ulong HeldOutStream = 0x5EE5;

    /// <summary>
    /// The frame sheet of <paramref name="walk"/> over <paramref name="grid"/>, for every class of the pool
    /// (<paramref name="classes"/>, empty = all). Colour moves channel r mod 3 in row r, as the evaluation does.
    /// </summary>
    public static ExplorerFrameSheet Render(IImageGenerator generator, ImageTransform transform, ILatentWalk walk, IReadOnlyList<double> grid,
        IReadOnlyList<int> classes, int seed, int latentsPerClass = DefaultLatentsPerClass, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latentsPerClass, 1);
        ArgumentOutOfRangeException.ThrowIfZero(grid.Count);
        var pool = WalkTrainer.ClassPool(generator, classes);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var rows = pool.Length * latentsPerClass;
        var z = generator.SampleLatents(rows, new torch.Generator((ulong)seed ^ HeldOutStream));
        var labels = torch.tensor(pool.SelectMany(c => Enumerable.Repeat((long)c, latentsPerClass)).ToArray(), device: generator.Device);
        var unmoved = generator.Generate(z, labels).clamp(-1, 1);
        var steered = new List<Tensor>(grid.Count);
        var targets = new List<Tensor>(grid.Count);
        foreach (var alpha in grid)
        {
            cancel.ThrowIfCancellationRequested();
            var alphas = transform.EvaluationAlphas(alpha, rows).to(generator.Device);
            steered.Add(generator.Generate(walk.Steer(z, labels, alphas), labels).clamp(-1, 1));
            var edit = transform.Apply(unmoved, alphas);
            targets.Add((edit.Images * edit.Mask).clamp(-1, 1));
        }
        // [rows, columns, C, S, S] → [rows · columns, C, S, S], row-major.
        var columns = new List<Tensor> { unmoved };
        columns.AddRange(steered);
        columns.AddRange(targets);
        var sheet = torch.stack(columns, 1).flatten(0, 1).to(ScalarType.Float32).cpu();
        return new ExplorerFrameSheet(sheet.MoveToOuterDisposeScope(), grid.ToList(), pool, latentsPerClass);
    }
}
