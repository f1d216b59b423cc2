using Steerability.Coordinator.Cli;
using Steerability.Coordinator.Commands;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>`steer bench walk` times the trainer's own step, not a copy of it.</summary>
public sealed class BenchWalkStepTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-bench-step-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Training_is_the_step_run_in_a_loop()
    {
        using var generator = GeneratorCheckpoint.Load(TinyCheckpoints.Save(_folder), torch.CPU);
        var edit = TransformCatalog.Create("shiftx");
        using var trained = new LinearWalk(edit, generator.LatentSize, generator.ImageSize, generator.ClassCount, false, new torch.Generator(1), torch.CPU);
        var losses = WalkTrainer.Train(generator, edit, trained, new WalkTrainingOptions(Steps: 3, Batch: 4, LearningRate: 0.1, Seed: 5));

        using var stepped = new LinearWalk(edit, generator.LatentSize, generator.ImageSize, generator.ClassCount, false, new torch.Generator(1), torch.CPU);
        using var step = new WalkTrainingStep(generator, edit, stepped, 0.1, seed: 5);
        var byHand = Enumerable.Range(1, 3).Select(i => (double)step.Run(4, i)).ToList();

        Assert.Equal(losses, byHand);
        Assert.True(trained.Directions.equal(stepped.Directions).all().item<bool>());
    }

    [Fact]
    public void The_benchmark_runs_the_trainers_checks_too()
    {
        // A generator whose output is NaN (a negative batch-norm variance): the trainer's step stops at its first loss.
        var checkpoint = TinyCheckpoints.Save(_folder, network =>
        {
            using var noGrad = torch.no_grad();
            network.named_buffers().First(b => b.name.EndsWith("running_var", StringComparison.Ordinal)).buffer.fill_(-1f);
        });
        using var generator = GeneratorCheckpoint.Load(checkpoint, torch.CPU);
        var edit = TransformCatalog.Create("zoom");
        using var walk = new LinearWalk(edit, generator.LatentSize, generator.ImageSize, generator.ClassCount, false, new torch.Generator(1), torch.CPU);
        var error = Assert.Throws<NonFiniteValueException>(() => WalkStepBenchmark.Measure(generator, edit, walk, batch: 4, warmup: 0, steps: 2));
        Assert.Contains("masked_l2 loss is NaN at step 1", error.Message);
    }
}
