namespace Steerability.Experiments.Runtime;

/// <summary>
/// Where the project keeps what it makes and reuses: STEER_HOME (default ./.steer; the ./steer script sets it to
/// the repository's .steer) holds data/ (each family's data set-up fetched, e.g. data/NAME) and generators/ (trained
/// checkpoints).
/// </summary>
public sealed record SteerPaths(string Home)
{
    public const string HomeVariable = "STEER_HOME";

    /// <summary>The paths from the environment.</summary>
    public static SteerPaths FromEnvironment() =>
        new(Path.GetFullPath(Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home ? home : ".steer"));

    /// <summary>Where set-up puts the data named <paramref name="name"/>.</summary>
    public string DataFolder(string name) => Path.Combine(Home, "data", name);

    /// <summary>The folder of trained generator checkpoints, one subfolder per training key.</summary>
    public string Generators => Path.Combine(Home, "generators");
}
