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
/// <param name="LearningRate">Adam's learning rate; null takes the edit's <see cref="ImageTransform.DefaultLearningRate"/>.</param>
/// <param name="Seed">Seeds latents, classes and α.</param>
/// <param name="Classes">Class indices to draw from; empty = all classes.</param>
public sealed record WalkTrainingOptions(int Steps = 400, int Batch = 32, double? LearningRate = null, int Seed = 1, IReadOnlyList<int>? Classes = null);

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
        var random = new Random(options.Seed);
        var latentRandom = new torch.Generator((ulong)options.Seed);
        var classes = ClassPool(generator, options.Classes);
        var learningRate = options.LearningRate ?? transform.DefaultLearningRate;
        using var optimizer = torch.optim.Adam(walk.TrainableParameters, learningRate);
        var losses = new List<double>(options.Steps);
        var reportEvery = Math.Max(1, options.Steps / 100);
        for (var step = 1; step <= options.Steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var z = generator.SampleLatents(options.Batch, latentRandom);                      // [B, d]
            var classIndices = DrawClasses(classes, options.Batch, random, generator.Device);   // [B]
            var alphas = ToTensor(walk.SampleTrainingAlphas(options.Batch, random), generator.Device);   // [B, K]
            Tensor target, mask;
            using (torch.no_grad())
            {
                var edit = transform.Apply(generator.Generate(z, classIndices), alphas);
                target = edit.Images;
                mask = edit.Mask;
            }
            var steered = generator.Generate(walk.Steer(z, classIndices, alphas), classIndices);
            var loss = MaskedL2.PerSample(steered, target, mask).mean();
            optimizer.zero_grad();
            loss.backward();
            // The loss is read every step anyway; the walk's gradients are small, so both are checked every step,
            // before a NaN gradient reaches the directions.
            var value = loss.item<float>();
            FiniteGuard.Number(value, Stage, $"step {step}", "masked_l2 loss");
            FiniteGuard.Tensors(walk.TrainableParameters.Select((p, i) => ($"walk parameter {i} gradient", p.grad)), Stage, $"step {step}");
            optimizer.step();
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
