using Steerability.GpuNode.Contract;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;

namespace Steerability.GpuNode.Trials;

/// <summary>
/// A stand-in for the science that writes a small but real `alpha_metrics.parquet` (the science's columns, one row per
/// α, values derived from the trial key) and a small generator checkpoint, taking <see cref="Duration"/> per trial:
/// lets tests and demos exercise the whole orchestration in milliseconds.
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
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(context.OutputDir, WalkExperiment.MetricsFile), rows, context.Origin, ct);
        return new TrialOutcome(trial.Steps * trial.Batch / Math.Max(Duration.TotalSeconds, 1e-3), "images/s");
    }

    /// <summary>A row of the science's own type, so synthetic tables have the science's columns.</summary>
    private static WalkMetricRecord Row(WalkTrial trial, double alpha)
    {
        // Deterministic pseudo-metrics: a U-shaped error in α, shifted per trial, so queries have something to show.
        var offset = Convert.ToUInt64(trial.Key[..8], 16) % 1000 / 1000.0;
        var error = 0.05 + 0.1 * Math.Abs(alpha) * (WalkTypes.TryGet(trial.Walk)?.TrainsWithGenerator == false ? 0.8 : 1.0) + 0.01 * offset;
        return new WalkMetricRecord(trial.Model, trial.Class, trial.Transform, trial.Walk, trial.PerClass, trial.Regime,
            alpha, L2Mean: error, L2Std: error / 4, BaselineL2Mean: 0.1 + 0.2 * Math.Abs(alpha), BaselineL2Std: 0.05, N: trial.Batch);
    }
}
