namespace Steerability.GpuNode.Trials;

/// <summary>The runners a node can be started with, by name: the one place where the real science is plugged in.</summary>
public static class TrialRunners
{
    /// <summary>
    /// The names accepted by `--runner`. `synthetic` writes small real tables without training (until the walk
    /// runner from src/Experiments is registered here as `walk`, it is also the default); `nowork` writes nothing.
    /// </summary>
    public static readonly string[] Names = ["synthetic", "nowork"];

    public const string Default = "synthetic";

    /// <summary>Seconds each synthetic trial takes (for demos and cross-process tests); 0 when unset.</summary>
    public const string SyntheticSecondsVariable = "STEER_SYNTHETIC_SECONDS";

    public static ITrialRunner Create(string name) => name switch
    {
        "synthetic" => new SyntheticTrialRunner
        {
            Duration = TimeSpan.FromSeconds(double.TryParse(Environment.GetEnvironmentVariable(SyntheticSecondsVariable),
                System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : 0),
        },
        "nowork" => new NoWorkTrialRunner(),
        _ => throw new ArgumentException($"--runner: '{name}' is not a trial runner; accepted: {string.Join(", ", Names)}"),
    };
}
