using Steerability.Experiments.Generators;
using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>Seconds per walk-like step (G forward from z, then backward to z) of one batch size.</summary>
public sealed record StyleGan2StepTiming(int Batch, int Steps, double SecondsPerStep)
{
    /// <summary>Images through forward and backward per second.</summary>
    public double ImagesPerSecond => Batch / SecondsPerStep;
}

/// <summary>
/// Throughput of a real-size StyleGAN2 with random weights (NVIDIA's initialisation), for sizing walks on a machine:
/// each step maps z, truncates, synthesises, and back-propagates a scalar loss of the images to z, as a walk step does.
/// </summary>
public static class StyleGan2Benchmark
{
    /// <summary>
    /// stylegan2-ada-pytorch's `--cfg=paper256` generator (its 256 px paper configuration): z and w 512, 8 mapping
    /// layers, channel_base 16384 (fmaps 0.5; 512 channels up to 32 px, then 256, 128, 64), channel_max 512,
    /// num_fp16_res 4 (computed in float32 here) and conv_clamp 256.
    /// </summary>
    public static StyleGan2Config Paper256 { get; } = new()
    {
        LatentSize = 512,
        StyleSize = 512,
        Resolution = 256,
        MappingLayers = 8,
        ChannelBase = 16384,
        ChannelMax = 512,
        Fp16Resolutions = 4,
        ConvClamp = 256,
    };

    /// <summary>A generator of <paramref name="config"/> with weights drawn as NVIDIA's constructors draw them (seeded).</summary>
    public static StyleGan2Generator RandomGenerator(StyleGan2Config config, long seed, Device? device = null)
    {
        var network = new StyleGan2Network(config);
        var random = new torch.Generator((ulong)seed);
        using (torch.no_grad())
        {
            foreach (var (name, tensor) in network.state_dict())
            {
                using var scope = torch.NewDisposeScope();
                var value = InitialValue(name, tensor, config, random);
                tensor.copy_(value);
            }
        }
        network.eval();
        return StyleGan2Generator.FromNetwork(network, device);
    }

    /// <summary>Times <paramref name="steps"/> steps at <paramref name="batch"/> after one warm-up step.</summary>
    public static StyleGan2StepTiming TimeWalkStep(StyleGan2Generator generator, int batch, int steps, double psi = 0.7, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var random = new torch.Generator((ulong)seed);
        var labels = generator.ClassCount > 0 ? torch.tensor(Enumerable.Range(0, batch).Select(index => (long)(index % generator.ClassCount)).ToArray()) : torch.zeros(batch, ScalarType.Int64);
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var latents = generator.SampleLatents(batch, random).requires_grad_(true);
            generator.Truncation = psi;
            var images = generator.Generate(latents, labels);
            images.square().mean().backward();
            _ = latents.grad!.abs().sum().item<float>();   // the gradient is really computed before the clock stops
        }
        Step();
        var watch = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            Step();
        }
        labels.Dispose();
        return new StyleGan2StepTiming(batch, steps, watch.Elapsed.TotalSeconds / steps);
    }

    private static Tensor InitialValue(string name, Tensor tensor, StyleGan2Config config, torch.Generator random)
    {
        if (name.EndsWith("resample_filter", StringComparison.Ordinal))
        {
            var taps = torch.tensor(new float[] { 1, 3, 3, 1 });
            var filter = torch.outer(taps, taps);
            return filter / filter.sum();
        }
        if (name.EndsWith("affine.bias", StringComparison.Ordinal))
        {
            return torch.ones_like(tensor);   // bias_init 1: styles start at 1
        }
        if (name.EndsWith(".bias", StringComparison.Ordinal) || name.EndsWith("noise_strength", StringComparison.Ordinal) || name == "mapping.w_avg")
        {
            return torch.zeros_like(tensor);
        }
        var normal = torch.randn(tensor.shape, generator: random);
        // Mapping weights are stored divided by lr_multiplier, so the run-time gain brings them back to N(0, 1/in).
        return name.StartsWith("mapping.fc", StringComparison.Ordinal) ? normal / config.MappingLearningRateMultiplier : normal;
    }
}
