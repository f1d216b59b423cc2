using Steerability.GpuNode.Trials;
using Steerability.Coordinator.Cli;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Checks the `STEER_*` variables the sweep commands read, as flags are checked: a bad value stops the command before
/// it writes anything, with one line naming the variable, its value and what is accepted (exit code 2).
/// </summary>
public static class EnvironmentSettings
{
    private static readonly Regex Duration = new(@"^\s*(\d+(\.\d+)?)\s*(ms|s|m|h)\s*$", RegexOptions.CultureInvariant);

    /// <summary>What each variable accepts, with a check; the keys are every variable the sweep commands read.</summary>
    private static readonly IReadOnlyDictionary<string, (string Accepted, Func<string, bool> Valid)> Rules =
        new Dictionary<string, (string, Func<string, bool>)>
        {
            ["STEER_HOSTNAME"] = ("a host name or IP address, e.g. 127.0.0.1", IsHost),
            ["STEER_PUBLIC_HOSTNAME"] = ("a host name or IP address, e.g. node7.example.org", IsHost),
            ["STEER_PORT"] = ("0 (a free port) to 65535", v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535),
            ["STEER_TLS"] = ("on, off, true or false", v => v is "on" or "off" or "true" or "false"),
            ["STEER_TLS_CERTIFICATE"] = ("an existing PFX file", File.Exists),
            ["STEER_TLS_PASSWORD"] = ("any text", _ => true),
            ["STEER_LEASE_TIMEOUT"] = ("a positive duration with a unit, e.g. 60s, 500ms, 2m", v => ParseDuration(v) is { } d && d > TimeSpan.Zero),
            ["STEER_HEARTBEAT_INTERVAL"] = ("a positive duration with a unit, e.g. 5s, 500ms", v => ParseDuration(v) is { } d && d > TimeSpan.Zero),
            ["STEER_MAX_RETRIES"] = ("0, 1, 2, ...", v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _)),
            [PersistKillPoint.Variable] = ("a whole number ≥ 1 (a test hook: the Nth journaled event kills the coordinator)",
                v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1),
            [GpuNode.Trials.TrialRunners.SyntheticSecondsVariable] = ("seconds, a number ≥ 0 such as 0.5",
                v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) && s >= 0),
        };

    /// <summary>The variables checked here.</summary>
    public static IEnumerable<string> Names => Rules.Keys;

    /// <summary>Throws <see cref="InputException"/> for the first variable that is set to a value it does not accept.</summary>
    public static void Check(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        foreach (var (name, (accepted, valid)) in Rules)
        {
            var value = read(name);
            if (!string.IsNullOrEmpty(value) && !valid(value))
            {
                throw new InputException($"{name}: '{value}' is not accepted; accepted: {accepted}");
            }
        }
    }

    /// <summary>A HOCON-style duration (`60s`, `500ms`, `2m`, `1h`), or null.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        var match = Duration.Match(text);
        if (!match.Success)
        {
            return null;
        }
        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[3].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            _ => TimeSpan.FromHours(number),
        };
    }

    private static bool IsHost(string value) => Uri.CheckHostName(value) != UriHostNameType.Unknown;
}
