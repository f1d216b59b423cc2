using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Contract;
using System.Globalization;
using Akka.Configuration;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// The limits that keep every wait of a sweep bounded (`cluster.hocon` documents each default, and the STEER_*
/// variable that overrides it).
/// </summary>
/// <param name="JoinTimeout">How long a node keeps trying to join (or rejoin) its coordinator before it exits with code 3.</param>
/// <param name="CoordinatorTimeout">How long `steer run` / `steer coordinator` wait for an answer from the coordinator before exiting with code 5.</param>
/// <param name="UnplaceableTimeout">How long ready trials may wait with no connected worker able to run them before the sweep fails.</param>
/// <param name="StallTimeout">A leased trial whose progress has not moved for this long is failed (an attempt) and retried; zero turns it off.</param>
/// <param name="LedgerRestarts">Journal failures the cluster coordinator restarts after (it replays the journal) before it gives up with code 5.</param>
public sealed record LivenessSettings(TimeSpan JoinTimeout, TimeSpan CoordinatorTimeout, TimeSpan UnplaceableTimeout,
    TimeSpan StallTimeout, int LedgerRestarts)
{
    /// <summary>The built-in cluster.hocon's values.</summary>
    public static readonly LivenessSettings Default = From(ClusterDefaults.Config);

    /// <summary>The settings and the STEER_* variable that overrides each (their defaults are in cluster.hocon).</summary>
    public static readonly IReadOnlyList<(string Key, string Variable)> Keys =
    [
        ("join-timeout", "STEER_JOIN_TIMEOUT"),
        ("coordinator-timeout", "STEER_COORDINATOR_TIMEOUT"),
        ("unplaceable-timeout", "STEER_UNPLACEABLE_TIMEOUT"),
        ("stall-timeout", "STEER_STALL_TIMEOUT"),
        ("ledger-restarts", "STEER_LEDGER_RESTARTS"),
    ];

    /// <summary>Reads and checks the `steerability` section; a bad value is one line naming the variable or setting.</summary>
    public static LivenessSettings From(Config config)
    {
        var s = ClusterDefaults.SteerabilityOf(config); // a setting left out has its built-in cluster.hocon value
        return new LivenessSettings(
            Duration(s, "join-timeout", allowZero: false),
            Duration(s, "coordinator-timeout", allowZero: false),
            Duration(s, "unplaceable-timeout", allowZero: false),
            Duration(s, "stall-timeout", allowZero: true),
            Count(s, "ledger-restarts"));
    }

    private static string Source(string key)
    {
        var variable = Keys.First(k => k.Key == key).Variable;
        return string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)) ? $"steerability.{key}" : variable;
    }

    private static TimeSpan Duration(Config s, string key, bool allowZero)
    {
        var raw = s.GetString(key);
        TimeSpan value;
        try
        {
            value = s.GetTimeSpan(key, null, allowInfinite: false);
        }
        catch (Exception)
        {
            throw new InputException($"{Source(key)}: '{raw}' is not a duration; accepted: e.g. 500ms, 30s, 5m, 1h{(allowZero ? ", or 0 (off)" : "")}");
        }
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero) || value > TimeSpan.FromDays(7))
        {
            throw new InputException($"{Source(key)}: '{raw}' is out of range; accepted: {(allowZero ? "0 (off) or " : "")}a duration above 0 and at most 7d");
        }
        return value;
    }

    private static int Count(Config s, string key)
    {
        var raw = s.GetString(key);
        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 1000
            ? value
            : throw new InputException($"{Source(key)}: '{raw}' is not a count; accepted: 0 to 1000");
    }
}
