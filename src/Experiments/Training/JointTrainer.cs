using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Runtime;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Training;

/// <summary>
/// The joint regime (paper §4.4): the generator, the discriminator and a linear walk trained together on augmented
/// data. The discriminator sees real images, fakes G(z) and steered fakes G(z + αw); the generator's loss is the
/// GAN loss on both kinds of fakes plus the masked L2 between G(z + αw) and edit(G(z), α); the walk is trained on
/// that masked L2.
/// </summary>
public static class JointTrainer
{
    /// <summary>The stage named when a value is not finite.</summary>
    public const string Stage = "joint training";

    /// <summary>Weight of the masked L2 in the generator's loss.</summary>
    public const double SteeringWeight = 1.0;

    public static (DcganGeneratorNetwork Generator, LinearWalk Walk) Train(
        LabelledImages data, DcganConfig config, GanTrainingOptions options, ImageTransform transform, EditAugmentation augmentation,
        double walkLearningRate, Device device, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        torch.manual_seed(options.Seed);
        var random = new Random(options.Seed);
        var latentRandom = new torch.Generator((ulong)options.Seed);
        var generator = new DcganGeneratorNetwork(config).to(device);
        var discriminator = new DcganDiscriminatorNetwork(config, options.MinibatchGroup).to(device);
        var batches = new ClassGroupedBatches(data, options.MinibatchGroup);
        var walk = new LinearWalk(transform, config.LatentSize, config.ImageSize, config.ClassCount, perClass: false, new torch.Generator((ulong)options.Seed), device);
        // G's weights are averaged as in GanTrainer, so the regimes compare like with like; w is averaged over the
        // same steps, so the walk returned belongs to the generator returned.
        var averaged = new DcganGeneratorNetwork(config).to(device);
        var averagedDirections = walk.Directions.detach().clone();
        var average = new WeightAverage(generator.parameters().Append(walk.Directions), averaged.parameters().Append(averagedDirections));
        using var generatorOptimizer = torch.optim.Adam(generator.parameters(), options.LearningRate, options.Beta1, options.Beta2);
        using var discriminatorOptimizer = torch.optim.Adam(discriminator.parameters(), options.DiscriminatorLearningRate ?? options.LearningRate, options.Beta1, options.Beta2);
        using var walkOptimizer = torch.optim.Adam(walk.TrainableParameters, walkLearningRate);
        var adversarialLoss = new AdversarialLoss(options.Loss);
        var images = data.Images.to(device);
        var labels = data.Labels.to(device);
        var reportEvery = Math.Max(1, options.Steps / 100);
        using var watch = new StepWatch(Stage, () => FiniteGuard.ModuleTensors("generator", generator).Concat(FiniteGuard.ModuleTensors("discriminator", discriminator))
            .Append(("walk directions", walk.Directions)));
        for (var step = 1; step <= options.Steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var pick = batches.Draw(options.Batch, random, device);
            var real = augmentation.Apply(images.index_select(0, pick), random);
            var classes = labels.index_select(0, pick);
            var z = torch.randn(options.Batch, config.LatentSize, generator: latentRandom).to(device);
            var alphas = WalkTrainer.ToTensor(transform.SampleTrainingAlphas(options.Batch, random, config.ImageSize), device);

            var fake = generator.forward(z, classes);
            var steered = generator.forward(walk.Steer(z, classes, alphas), classes);

            var realScore = discriminator.forward(real, classes);
            var fakeScore = discriminator.forward(torch.cat([fake, steered]).detach(), torch.cat([classes, classes]));
            var discriminatorLoss = adversarialLoss.Discriminator(realScore, fakeScore);
            discriminatorOptimizer.zero_grad();
            discriminatorLoss.backward();
            discriminatorOptimizer.step();

            Tensor target, mask;
            using (torch.no_grad())
            {
                var edit = transform.Apply(fake.detach(), alphas);
                (target, mask) = (edit.Images, edit.Mask);
            }
            var steering = MaskedL2.PerSample(steered, target, mask).mean();
            var adversarial = adversarialLoss.Generator(discriminator.forward(torch.cat([fake, steered]), torch.cat([classes, classes])));
            generatorOptimizer.zero_grad();
            walkOptimizer.zero_grad();
            // G learns from both losses; w only from the masked L2, as in the paper: keep w's gradient of the L2
            // alone, then let the adversarial loss add to G's.
            (SteeringWeight * steering).backward(retain_graph: true);
            var walkGradient = walk.Directions.grad!.clone();
            adversarial.backward();
            walk.Directions.grad!.copy_(walkGradient);
            generatorOptimizer.step();
            walkOptimizer.step();
            average.Update(step, options.Steps);
            watch.Record(step, "discriminator loss", discriminatorLoss);
            watch.Record(step, "generator loss", adversarial);
            watch.Record(step, "masked_l2 loss", steering);
            watch.EndStep(step, options.Steps);

            if (progress is not null && (step % reportEvery == 0 || step == options.Steps))
            {
                progress.Report(new TrainingProgress(step, options.Steps, new Dictionary<string, double>
                {
                    ["d"] = discriminatorLoss.item<float>(),
                    ["g"] = adversarial.item<float>(),
                    ["masked_l2"] = steering.item<float>(),
                }));
            }
        }
        discriminator.Dispose();
        generator.Dispose();
        GanTrainer.Settle(averaged, data.ClassNames.Count, config.LatentSize, device, options.Seed);
        using (torch.no_grad())
        {
            walk.Directions.copy_(averagedDirections);
        }
        averagedDirections.Dispose();
        foreach (var parameter in walk.TrainableParameters)
        {
            parameter.requires_grad = false;
        }
        return (averaged, walk);
    }
}
