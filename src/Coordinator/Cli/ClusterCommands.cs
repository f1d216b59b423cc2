using System.Globalization;
using Akka.Actor;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Cli;

/// <summary>Helpers for the cluster commands' flags.</summary>
internal static class ClusterCommands
{
    public static string Overrides(string? hostname, int? port)
    {
        var lines = new List<string>();
        if (hostname is not null)
        {
            lines.Add($"akka.remote.dot-netty.tcp.hostname = \"{hostname}\"");
        }
        if (port is not null)
        {
            if (port is < 0 or > 65535)
            {
                throw new InputException($"--port: '{port}' is not a port; accepted: 0 (a free port) to 65535");
            }
            lines.Add($"akka.remote.dot-netty.tcp.port = {port}");
        }
        return string.Join("\n", lines);
    }

    public static Address ParseSeed(string seed)
    {
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new InputException($"--seed: '{seed}' is not HOST:PORT; accepted: e.g. 127.0.0.1:4053");
        }
        return new Address("akka.tcp", SweepConfig.SystemName, seed[..colon], port);
    }
}
