using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Training;

/// <summary>Settings of a walk training run.</summary>
/// <param name="Steps">Adam steps.</param>
/// <param name="Batch">Latents per step.</param>
/// <param name="LearningRate">Adam's learning rate, resolved by the caller (<see cref="Steerability.Experiments.Walks.WalkLearningRate"/>).</param>
/// <param name="Seed">Seeds latents, classes and α.</param>
/// <param name="Classes">Class indices to draw from; empty = all classes.</param>
public sealed record WalkTrainingOptions(int Steps, int Batch, double LearningRate, int Seed = 1, IReadOnlyList<int>? Classes = null);

/// <summary>
/// Learns a walk by self-supervision with G frozen: for random z, class and α, make G(z'(α)) match edit(G(z), α)
/// under the edit's mask (masked L2), updating only the walk's parameters with Adam.
/// </summary>
public static class WalkTrainer
{
    /// <summary>Trains <paramref name="walk"/> in place; returns the loss after each step.</summary>
    public static IReadOnlyList<double> Train(
        IImageGenerator generator, ImageTransform transform, ILatentWalk walk, WalkTrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        using var stepper = new WalkTrainingStep(generator, transform, walk, options.LearningRate, options.Seed, options.Classes);
        var losses = new List<double>(options.Steps);
        var reportEvery = Math.Max(1, options.Steps / 100);
        for (var step = 1; step <= options.Steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            var value = stepper.Run(options.Batch, step);
            losses.Add(value);
            if (progress is not null && (step % reportEvery == 0 || step == options.Steps))
            {
                progress.Report(new TrainingProgress(step, options.Steps, new Dictionary<string, double> { ["masked_l2"] = value }));
            }
        }
        return losses;
    }

    /// <summary>The stage named when a value is not finite.</summary>
    public const string Stage = "walk training";

    /// <summary>The class indices to draw from: the requested ones, or all of an conditional generator's classes.</summary>
    public static int[] ClassPool(IImageGenerator generator, IReadOnlyList<int>? requested) =>
        requested is { Count: > 0 } ? requested.ToArray() : Enumerable.Range(0, Math.Max(1, generator.ClassCount)).ToArray();

    /// <summary>Draws <paramref name="count"/> classes uniformly from the pool.</summary>
    public static Tensor DrawClasses(int[] pool, int count, Random random, Device device)
    {
        var drawn = new long[count];
        for (var i = 0; i < count; i++)
        {
            drawn[i] = pool[random.Next(pool.Length)];
        }
        return torch.tensor(drawn, device: device);
    }

    /// <summary>A float32 tensor [N, K] of the given values on <paramref name="device"/>.</summary>
    public static Tensor ToTensor(double[,] values, Device device)
    {
        var rows = values.GetLength(0);
        var columns = values.GetLength(1);
        var flat = new float[rows * columns];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                flat[i * columns + j] = (float)values[i, j];
            }
        }
        return torch.tensor(flat, new long[] { rows, columns }, device: device);
    }
}

/// <summary>
/// One step of walk training, the only one there is: training runs it in a loop and `steer bench walk` times it.
/// For random z, class and α, make G(z'(α)) match edit(G(z), α) under the edit's mask, and take one Adam step on
/// the walk's parameters; the loss and the gradients are checked to be finite.
/// </summary>
public sealed class WalkTrainingStep : IDisposable
{
    private readonly IImageGenerator _generator;
    private readonly ImageTransform _transform;
    private readonly ILatentWalk _walk;
    private readonly torch.optim.Optimizer _optimizer;
    private readonly Random _random;
    private readonly torch.Generator _latentRandom;
    private readonly int[] _classes;

    public WalkTrainingStep(IImageGenerator generator, ImageTransform transform, ILatentWalk walk, double learningRate, int seed, IReadOnlyList<int>? classes = null)
    {
        _generator = generator;
        _transform = transform;
        _walk = walk;
        _random = new Random(seed);
        _latentRandom = new torch.Generator((ulong)seed);
        _classes = WalkTrainer.ClassPool(generator, classes);
        _optimizer = torch.optim.Adam(walk.TrainableParameters, learningRate);
    }

    /// <summary>Runs one step on <paramref name="batch"/> latents; <paramref name="step"/> names it in a non-finite error. Returns the loss.</summary>
    public float Run(int batch, int step)
    {
        using var scope = torch.NewDisposeScope();
        var z = _generator.SampleLatents(batch, _latentRandom);                                    // [B, d]
        var classIndices = WalkTrainer.DrawClasses(_classes, batch, _random, _generator.Device);  // [B]
        var alphas = WalkTrainer.ToTensor(_walk.SampleTrainingAlphas(batch, _random), _generator.Device);   // [B, K]
        Tensor target, mask;
        using (torch.no_grad())
        {
            var edit = _transform.Apply(_generator.Generate(z, classIndices), alphas);
            target = edit.Images;
            mask = edit.Mask;
        }
        var steered = _generator.Generate(_walk.Steer(z, classIndices, alphas), classIndices);
        var loss = MaskedL2.PerSample(steered, target, mask).mean();
        var value = loss.item<float>();
        FiniteGuard.Number(value, WalkTrainer.Stage, $"step {step}", "masked_l2 loss");
        if (!loss.requires_grad)
        {
            // A nonlinear batch of n = 0 steps (the authors' training draws it too): the walk is not applied, so
            // there is nothing to learn from it and no Adam step is taken.
            return value;
        }
        _optimizer.zero_grad();
        loss.backward();
        // The loss is read every step anyway; the walk's gradients are small, so both are checked every step,
        // before a NaN gradient reaches the directions.
        FiniteGuard.Tensors(_walk.TrainableParameters.Select((p, i) => ($"walk parameter {i} gradient", p.grad)), WalkTrainer.Stage, $"step {step}");
        _optimizer.step();
        return value;
    }

    public void Dispose() => _optimizer.Dispose();
}
