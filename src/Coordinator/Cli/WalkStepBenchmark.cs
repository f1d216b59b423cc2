using System.Diagnostics;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Coordinator.Cli;

/// <summary>Times the walk-training step and reports peak memory.</summary>
public static class WalkStepBenchmark
{
    public sealed record Result(double ImagesPerSecond, double MillisecondsPerStep, string PeakMemory);

    public static Result Measure(IImageGenerator generator, ImageTransform transform, ILatentWalk walk, int batch, int warmup, int steps)
    {
        // The trainer's own step (with its finite checks), at the paper's walk learning rate: what training costs.
        using var stepper = new WalkTrainingStep(generator, transform, walk, 1e-3, seed: 1);
        var clock = new Stopwatch();
        for (var step = 0; step < warmup + steps; step++)
        {
            if (step == warmup)
            {
                Synchronise(generator.Device);
                clock.Start();
            }
            stepper.Run(batch, step + 1);
        }
        Synchronise(generator.Device);
        clock.Stop();
        var seconds = clock.Elapsed.TotalSeconds;
        return new Result(batch * steps / seconds, 1000 * seconds / steps, PeakMemory.Describe(generator.Device));
    }

    private static void Synchronise(Device device)
    {
        if (device.type == DeviceType.CUDA)
        {
            torch.cuda.synchronize();
        }
    }
}
