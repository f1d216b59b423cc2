using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>A minimal walk-like optimisation through a frozen generator, to show gradients reach the walk and not G.</summary>
internal static class WalkTraining
{
    /// <summary>The walk's step size α in z' = z + α w.</summary>
    private const double StepSize = 1.0;

    /// <summary>Brightens by 0.2 in [-1, 1] units (the paper's brightness transformation).</summary>
    public static Tensor Brighten(Tensor images) => (images + 0.2).clamp(-1, 1);   // [N, C, S, S]

    /// <summary>Shifts images 2 pixels right, wrapping around.</summary>
    public static Tensor RollRight(Tensor images) => images.roll(2, 3);           // [N, C, S, S]

    /// <summary>
    /// Learns w so that G(z + α w) ≈ edit(G(z)) for a fixed edit (as walks learn), using Adam; returns the first and
    /// last loss. Each tiny random-weight test generator can express only some edits with one shared w, so the test
    /// picks one it can (e.g. the tiny BigGAN cannot follow a 2-pixel roll, the tiny TorchScript one no brightening).
    /// Returns the loss of every step, the first being the loss at w = 0.
    /// </summary>
    public static IReadOnlyList<double> Train(
        IImageGenerator generator, Func<Tensor, Tensor> edit, long[] classIndices, int steps, double learningRate, int seed)
    {
        using var scope = torch.NewDisposeScope();
        var random = new torch.Generator((ulong)seed, torch.CPU);
        var latents = generator.SampleLatents(classIndices.Length, random);              // [N, d]
        var classes = torch.tensor(classIndices, device: generator.Device);              // [N]
        Tensor target;
        using (torch.no_grad())
        {
            target = edit(generator.Generate(latents, classes));                         // [N, C, S, S]
        }
        var walk = new TorchSharp.Modules.Parameter(torch.zeros([generator.LatentSize], device: generator.Device), requires_grad: true);   // w [d]
        using var optimizer = torch.optim.Adam([walk], lr: learningRate);

        var losses = new List<double>(steps);
        for (var step = 0; step < steps; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var edited = generator.Generate(latents + StepSize * walk, classes);          // [N, C, S, S]
            var loss = (edited - target).pow(2).mean();
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }
        return losses;
    }
}
