using System.Text.Json.Serialization;
using Parquet.Serialization;
using Steerability.Experiments.Walks;

namespace Steerability.GpuNode.Trials;

/// <summary>
/// A stand-in for the science that writes a small but real `alpha_metrics.parquet` (one row per α, values derived from
/// the trial key) and a small generator checkpoint, taking <see cref="Duration"/> per trial: lets tests and demos
/// exercise the whole orchestration in milliseconds.
/// </summary>
public sealed class SyntheticTrialRunner : ITrialRunner
{
    public string Name => "synthetic";

    /// <summary>How long each trial takes; progress is reported in ten steps over it.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.Zero;

    /// <summary>Throws for trials this returns true for (the attempt number is the second argument), to test retries.</summary>
    public Func<TrialSpec, int, bool>? FailWhen { get; init; }

    private readonly Dictionary<string, int> _attempts = new();

    public async Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
    {
        int attempt;
        lock (_attempts)
        {
            attempt = _attempts[trial.Key] = _attempts.GetValueOrDefault(trial.Key) + 1;
        }
        for (var step = 1; step <= 10; step++)
        {
            if (Duration > TimeSpan.Zero)
            {
                await Task.Delay(Duration / 10, ct);
            }
            context.Progress(step / 10.0);
        }
        if (FailWhen?.Invoke(trial, attempt) == true)
        {
            throw new InvalidOperationException($"synthetic failure of {trial.Key} on attempt {attempt}");
        }
        if (trial is not WalkTrial walk)
        {
            await File.WriteAllTextAsync(Path.Combine(context.ArtifactDir, "generator.bin"), trial.CanonicalJson(), ct);
            return new TrialOutcome(trial.Steps / Math.Max(Duration.TotalSeconds, 1e-3), "steps/s");
        }
        if (walk.GeneratorKey.Length > 0 && !File.Exists(Path.Combine(context.GeneratorDir ?? "", "generator.bin")))
        {
            throw new InvalidOperationException($"generator {walk.GeneratorKey} is missing at '{context.GeneratorDir}'");
        }
        var rows = walk.Alphas.Select(alpha => Row(walk, alpha)).ToList();
        await ParquetSerializer.SerializeAsync(rows, Path.Combine(context.OutputDir, "alpha_metrics.parquet"), cancellationToken: ct);
        return new TrialOutcome(trial.Steps * trial.Batch / Math.Max(Duration.TotalSeconds, 1e-3), "images/s");
    }

    private static SyntheticAlphaRow Row(WalkTrial trial, double alpha)
    {
        // Deterministic pseudo-metrics: a U-shaped error in α, shifted per trial, so queries have something to show.
        var offset = Convert.ToUInt64(trial.Key[..8], 16) % 1000 / 1000.0;
        var error = 0.05 + 0.1 * Math.Abs(alpha) * (WalkTypes.TryGet(trial.Walk)?.TrainsWithGenerator == false ? 0.8 : 1.0) + 0.01 * offset;
        return new SyntheticAlphaRow
        {
            Model = trial.Model,
            Class = trial.Class,
            Transform = trial.Transform,
            Walk = trial.Walk,
            Alpha = alpha,
            L2Mean = error,
            L2Std = error / 4,
            BaselineL2Mean = 0.1 + 0.2 * Math.Abs(alpha),
            BaselineL2Std = 0.05,
            N = trial.Batch,
        };
    }
}

/// <summary>A row of the alpha_metrics table as the synthetic runner writes it (same columns as the science's).</summary>
public sealed class SyntheticAlphaRow
{
    [JsonPropertyName("schema_version")] public int SchemaVersion { get; set; } = Results.AlphaMetricRow.CurrentSchemaVersion;
    [JsonPropertyName("l2_scale")] public string L2Scale { get; set; } = Steerability.Experiments.Evaluation.AlphaEvaluator.L2Scale;
    [JsonPropertyName("model")] public string Model { get; set; } = "";
    [JsonPropertyName("class")] public string Class { get; set; } = "";
    [JsonPropertyName("transform")] public string Transform { get; set; } = "";
    [JsonPropertyName("walk")] public string Walk { get; set; } = "";
    [JsonPropertyName("alpha")] public double Alpha { get; set; }
    [JsonPropertyName("l2_mean")] public double L2Mean { get; set; }
    [JsonPropertyName("l2_std")] public double L2Std { get; set; }
    [JsonPropertyName("baseline_l2_mean")] public double BaselineL2Mean { get; set; }
    [JsonPropertyName("baseline_l2_std")] public double BaselineL2Std { get; set; }
    [JsonPropertyName("n")] public int N { get; set; }
}
