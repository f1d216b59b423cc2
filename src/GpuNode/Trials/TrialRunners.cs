using Steerability.GpuNode.Contract;
using Steerability.Experiments.Runtime;

namespace Steerability.GpuNode.Trials;

/// <summary>The runners a node can be started with, by name: the one place where the real science is plugged in.</summary>
public static class TrialRunners
{
    /// <summary>
    /// The names accepted by `--runner`. `walk` (the default) trains generators and walks for real; `synthetic`
    /// writes small real tables without training and `nowork` writes nothing (tests, the orchestration benchmark).
    /// </summary>
    public static readonly string[] Names = ["walk", "synthetic", "nowork"];

    public const string Default = "walk";

    /// <summary>Seconds each synthetic trial takes (for demos and cross-process tests); 0 when unset.</summary>
    public const string SyntheticSecondsVariable = "STEER_SYNTHETIC_SECONDS";

    public static ITrialRunner Create(string name) => name switch
    {
        "walk" => new WalkTrialRunner(SteerPaths.FromEnvironment()),
        "synthetic" => new SyntheticTrialRunner
        {
            Duration = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable(SyntheticSecondsVariable),
                System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : 0),
        },
        "nowork" => new NoWorkTrialRunner(),
        _ => throw new ArgumentException($"--runner: '{name}' is not a trial runner; accepted: {string.Join(", ", Names)}"),
    };
}
