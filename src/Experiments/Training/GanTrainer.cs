using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Training;

/// <summary>
/// Trains a class-conditional DCGAN on labelled images with the non-saturating GAN loss. An optional edit hook
/// changes each real batch (the augmented regime).
/// </summary>
public static class GanTrainer
{
    /// <summary>Changes a real batch [N, C, S, S] before the discriminator sees it; gets a generator for its draws.</summary>
    public delegate Tensor RealBatchEdit(Tensor images, Random random);


    /// <summary>Trains and returns the generator network: the average of its weights, settled and in evaluation mode.</summary>
    public static DcganGeneratorNetwork Train(
        LabelledImages data, DcganConfig config, GanTrainingOptions options, Device device,
        IProgress<TrainingProgress>? progress = null, RealBatchEdit? editRealBatch = null, CancellationToken cancel = default)
    {
        torch.manual_seed(options.Seed);
        var random = new Random(options.Seed);
        var latentRandom = new torch.Generator((ulong)options.Seed);
        var generator = new DcganGeneratorNetwork(config).to(device);
        // The network returned is an exponential moving average of G's weights.
        var averaged = new DcganGeneratorNetwork(config).to(device);
        var average = new WeightAverage(generator.parameters(), averaged.parameters());
        var discriminator = new DcganDiscriminatorNetwork(config, options.MinibatchGroup).to(device);
        var batches = new ClassGroupedBatches(data, options.MinibatchGroup);
        using var generatorOptimizer = torch.optim.Adam(generator.parameters(), options.LearningRate, options.Beta1, options.Beta2);
        using var discriminatorOptimizer = torch.optim.Adam(discriminator.parameters(), options.DiscriminatorLearningRate ?? options.LearningRate, options.Beta1, options.Beta2);
        var adversarialLoss = new AdversarialLoss(options.Loss);
        var images = data.Images.to(device);
        var labels = data.Labels.to(device);
        var reportEvery = Math.Max(1, options.Steps / 100);
        using var watch = new StepWatch(Stage, () => FiniteGuard.ModuleTensors("generator", generator).Concat(FiniteGuard.ModuleTensors("discriminator", discriminator)));
        for (var step = 1; step <= options.Steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var pick = batches.Draw(options.Batch, random, device);
            var real = images.index_select(0, pick);                                         // [B, C, S, S]
            if (editRealBatch is not null)
            {
                real = editRealBatch(real, random);
            }
            var classes = labels.index_select(0, pick);                                      // [B], fakes too
            var z = torch.randn(options.Batch, config.LatentSize, generator: latentRandom).to(device);

            // Discriminator: real up, fake down.
            var fake = generator.forward(z, classes);
            var realScore = discriminator.forward(real, classes);
            var fakeScore = discriminator.forward(fake.detach(), classes);
            var discriminatorLoss = adversarialLoss.Discriminator(realScore, fakeScore);
            discriminatorOptimizer.zero_grad();
            discriminatorLoss.backward();
            discriminatorOptimizer.step();

            // Generator: the adversarial loss on the same fakes.
            var generatorLoss = adversarialLoss.Generator(discriminator.forward(fake, classes));
            generatorOptimizer.zero_grad();
            generatorLoss.backward();
            generatorOptimizer.step();
            average.Update(step, options.Steps);
            watch.Record(step, "discriminator loss", discriminatorLoss);
            watch.Record(step, "generator loss", generatorLoss);
            watch.EndStep(step, options.Steps);

            if (progress is not null && (step % reportEvery == 0 || step == options.Steps))
            {
                progress.Report(new TrainingProgress(step, options.Steps, new Dictionary<string, double>
                {
                    ["d"] = discriminatorLoss.item<float>(),
                    ["g"] = generatorLoss.item<float>(),
                }));
            }
        }
        discriminator.Dispose();
        generator.Dispose();
        Settle(averaged, data.ClassNames.Count, config.LatentSize, device, options.Seed);
        FiniteGuard.Tensors(FiniteGuard.ModuleTensors("averaged generator", averaged), Stage, "the end");
        return averaged;
    }

    /// <summary>The stage named when a value is not finite.</summary>
    public const string Stage = "generator training";

    /// <summary>
    /// Re-estimates the generator's batch-norm statistics for its final weights (the running averages also hold
    /// older weights' statistics), then switches it to evaluation mode so each sample is independent of its batch.
    /// </summary>
    public static void Settle(DcganGeneratorNetwork generator, int classCount, int latentSize, Device device, int seed, int batches = 40, int batch = 128)
    {
        using var noGrad = torch.no_grad();
        var random = new torch.Generator((ulong)seed + 7);
        foreach (var module in generator.modules().OfType<TorchSharp.Modules.BatchNorm2d>())
        {
            module.reset_running_stats();
            module.momentum = null;                                                           // cumulative average
        }
        generator.train();
        for (var i = 0; i < batches; i++)
        {
            using var scope = torch.NewDisposeScope();
            var z = torch.randn(batch, latentSize, generator: random).to(device);
            var classes = torch.randint(classCount, batch, generator: random, dtype: ScalarType.Int64).to(device);
            generator.forward(z, classes);
        }
        foreach (var module in generator.modules().OfType<TorchSharp.Modules.BatchNorm2d>())
        {
            module.momentum = 0.1;
        }
        generator.eval();
    }
}
