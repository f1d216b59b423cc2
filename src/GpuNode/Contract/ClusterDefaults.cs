using System.Reflection;
using Akka.Configuration;

namespace Steerability.GpuNode.Contract;

/// <summary>
/// The documented defaults of every cluster and sweep setting: the repository's cluster.hocon, built into this
/// assembly. It is the one place a default is written; the settings records read theirs from here, and a
/// cluster.hocon that leaves a `steerability` setting out gets the value written here.
/// </summary>
public static class ClusterDefaults
{
    /// <summary>The built-in cluster.hocon, as written.</summary>
    public static string Text { get; } = ReadEmbedded();

    /// <summary>The built-in cluster.hocon, parsed.</summary>
    public static Config Config => ConfigurationFactory.ParseString(Text);

    /// <summary>The built-in `steerability` section (lease, heartbeat, retry and liveness settings).</summary>
    public static Config Steerability => Config.GetConfig("steerability");

    /// <summary>The `steerability` section of <paramref name="config"/>, with the built-in value for each setting it leaves out.</summary>
    public static Config SteerabilityOf(Config config) =>
        config.GetConfig("steerability") is { IsEmpty: false } given ? given.WithFallback(Steerability) : Steerability;

    private static string ReadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("cluster.hocon")
            ?? throw new InvalidOperationException("cluster.hocon is not built into Steerability.GpuNode (see GpuNode.csproj)");
        return new StreamReader(stream).ReadToEnd();
    }
}
