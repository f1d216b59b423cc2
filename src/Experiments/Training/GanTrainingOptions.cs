using System.Text.Json.Serialization;

namespace Steerability.Experiments.Training;

/// <summary>Settings of a GAN training run (the DCGAN recipe: Adam lr 2e-4, β1 0.5, batch 64).</summary>
public sealed record GanTrainingOptions(
    [property: JsonPropertyName("steps")] int Steps = 1500,
    [property: JsonPropertyName("batch")] int Batch = 64,
    [property: JsonPropertyName("learning_rate")] double LearningRate = 2e-4,
    [property: JsonPropertyName("beta1")] double Beta1 = 0.5,
    [property: JsonPropertyName("seed")] int Seed = 1);

/// <summary>Progress of a running training loop.</summary>
/// <param name="Step">Steps done so far.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Losses">Named losses at this step (e.g. d, g).</param>
public sealed record TrainingProgress(int Step, int TotalSteps, IReadOnlyDictionary<string, double> Losses);
