using System.Text.Json.Serialization;

namespace Steerability.Experiments.Training;

/// <summary>Settings of a GAN training run (defaults: the DCGAN recipe, Adam lr 2e-4, β1 0.5, batch 64, non-saturating loss).</summary>
/// <param name="Loss">"nonsaturating" (softplus) or "hinge".</param>
/// <param name="DiscriminatorLearningRate">The discriminator's Adam learning rate; null = <paramref name="LearningRate"/>.</param>
/// <param name="MinibatchGroup">
/// Real batches are drawn in groups of this many images of one class (fakes take the same classes), and the
/// discriminator's spread feature is measured per group; 1 = unordered batches and one spread for the whole batch.
/// </param>
public sealed record GanTrainingOptions(
    [property: JsonPropertyName("steps")] int Steps = 1500,
    [property: JsonPropertyName("batch")] int Batch = 64,
    [property: JsonPropertyName("learning_rate")] double LearningRate = 2e-4,
    [property: JsonPropertyName("beta1")] double Beta1 = 0.5,
    [property: JsonPropertyName("seed")] int Seed = 1,
    [property: JsonPropertyName("beta2")] double Beta2 = 0.999,
    [property: JsonPropertyName("loss")] string Loss = "nonsaturating",
    [property: JsonPropertyName("discriminator_learning_rate")] double? DiscriminatorLearningRate = null,
    [property: JsonPropertyName("minibatch_group")] int MinibatchGroup = 1);

/// <summary>Progress of a running training loop.</summary>
/// <param name="Step">Steps done so far.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Losses">Named losses at this step (e.g. d, g).</param>
public sealed record TrainingProgress(int Step, int TotalSteps, IReadOnlyDictionary<string, double> Losses);
