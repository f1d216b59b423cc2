using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Worker;
using Steerability.GpuNode.Contract;
using Akka.Configuration;

namespace Steerability.Coordinator.Sweeps;

/// <summary>Builds actor-system configuration: serializers, quiet logging, the SQLite journal, and cluster.hocon.</summary>
public static class SweepConfig
{
    public const string SystemName = "steer";

    /// <summary>Serializers and logging shared by every sweep actor system.</summary>
    public static Config Common() => ConfigurationFactory.ParseString($"""
        {SweepMessageSerializer.Hocon}
        {LedgerEventSerializer.Hocon}
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """);

    /// <summary>The journal and snapshot store: SQLite (Akka.Persistence.Sql) at the given file.</summary>
    public static Config SqliteJournal(string path)
    {
        var connection = $"Data Source={path.Replace("\"", "")}";
        return ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.journal.sql {
              connection-string = "{{connection}}"
              provider-name = "SQLite.MS"
              auto-initialize = true
              # SQLite takes one writer at a time: more writers (the plugin's default is 3) only queue on its lock
              # and split the batches; one writer lets concurrent events share one transaction.
              parallelism = 1
            }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
            akka.persistence.snapshot-store.sql {
              connection-string = "{{connection}}"
              provider-name = "SQLite.MS"
              auto-initialize = true
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    /// <summary>The in-memory journal (benchmarks that measure the orchestration without disk).</summary>
    public static Config MemoryJournal() => ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.local"
        """);

    /// <summary>An actor system with no networking at all: the embedded `steer run`.</summary>
    public static Config Local() => ConfigurationFactory.ParseString("akka.actor.provider = local");

    /// <summary>Environment variables that override one cluster.hocon setting each (documented in cluster.hocon).</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentOverrides = new Dictionary<string, string>
    {
        ["STEER_HOSTNAME"] = "akka.remote.dot-netty.tcp.hostname",
        ["STEER_PUBLIC_HOSTNAME"] = "akka.remote.dot-netty.tcp.public-hostname",
        ["STEER_PORT"] = "akka.remote.dot-netty.tcp.port",
        ["STEER_TLS"] = "akka.remote.dot-netty.tcp.enable-ssl",
        ["STEER_TLS_CERTIFICATE"] = "akka.remote.dot-netty.tcp.ssl.certificate.path",
        ["STEER_TLS_PASSWORD"] = "akka.remote.dot-netty.tcp.ssl.certificate.password",
        ["STEER_LEASE_TIMEOUT"] = "steerability.lease-timeout",
        ["STEER_HEARTBEAT_INTERVAL"] = "steerability.heartbeat-interval",
        ["STEER_MAX_RETRIES"] = "steerability.max-retries",
        ["STEER_JOIN_TIMEOUT"] = "steerability.join-timeout",
        ["STEER_COORDINATOR_TIMEOUT"] = "steerability.coordinator-timeout",
        ["STEER_UNPLACEABLE_TIMEOUT"] = "steerability.unplaceable-timeout",
        ["STEER_STALL_TIMEOUT"] = "steerability.stall-timeout",
        ["STEER_LEDGER_RESTARTS"] = "steerability.ledger-restarts",
        ["STEER_TLS_CA"] = "steerability.tls.ca-certificate",
    };

    /// <summary>
    /// cluster.hocon: the file given, else ./cluster.hocon, else the copy built into steer; then the environment
    /// variables of <see cref="EnvironmentOverrides"/>; then <paramref name="overrides"/> (from flags), which win.
    /// </summary>
    public static Config Cluster(string? path, string overrides)
    {
        EnvironmentSettings.Check();
        string text;
        if (path is not null)
        {
            text = File.Exists(path) ? File.ReadAllText(path) : throw new InputException($"--config: '{path}' not found; accepted: a HOCON file such as cluster.hocon");
        }
        else if (File.Exists("cluster.hocon"))
        {
            text = File.ReadAllText("cluster.hocon");
        }
        else
        {
            text = ClusterDefaults.Text;
        }
        var environment = string.Join("\n", EnvironmentOverrides
            .Select(pair => (Path: pair.Value, Value: Environment.GetEnvironmentVariable(pair.Key)))
            .Where(pair => !string.IsNullOrEmpty(pair.Value))
            .Select(pair => $"{pair.Path} = \"{pair.Value!.Replace("\\", "\\\\").Replace("\"", "\\\"")}\""));
        return ConfigurationFactory.ParseString(overrides)
            .WithFallback(ConfigurationFactory.ParseString(environment))
            .WithFallback(ConfigurationFactory.ParseString(text));
    }

    /// <summary>
    /// Reads the `steerability` section into the coordinator's and workers' settings. A value that is not a positive
    /// duration (or a whole number for max-retries), or a lease timeout under twice the heartbeat interval (one late
    /// heartbeat would then revoke a healthy trial), is refused in one line naming the setting and where it came from.
    /// </summary>
    public static (CoordinatorSettings Coordinator, GpuNode.Worker.WorkerSettings Worker) Settings(Config config, int? maxRetries, bool failFast)
    {
        var s = ClusterDefaults.SteerabilityOf(config); // a setting left out has its built-in cluster.hocon value
        var lease = Duration(s, "lease-timeout");
        var heartbeat = Duration(s, "heartbeat-interval");
        if (lease < heartbeat * 2)
        {
            throw new InputException($"{Source("lease-timeout")}: '{lease.TotalSeconds:0.###}s' is shorter than twice the heartbeat interval " +
                $"({heartbeat.TotalSeconds:0.###}s, {Source("heartbeat-interval")}); accepted: at least {(heartbeat * 2).TotalSeconds:0.###}s");
        }
        int retries;
        try
        {
            retries = maxRetries ?? s.GetInt("max-retries");
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            throw new InputException($"{Source("max-retries")}: '{s.GetString("max-retries")}' is not accepted; accepted: 0, 1, 2, ...");
        }
        if (retries < 0)
        {
            throw new InputException($"{Source("max-retries")}: '{retries}' is negative; accepted: 0, 1, 2, ...");
        }
        var ledger = new LedgerOptions(retries, failFast, lease);
        return (new CoordinatorSettings(ledger, Duration(s, "tick-interval"), Duration(s, "trials-table-interval")),
            new GpuNode.Worker.WorkerSettings(heartbeat, Duration(s, "retry-interval")));
    }

    private static TimeSpan Duration(Config section, string name)
    {
        TimeSpan value;
        try
        {
            value = section.GetTimeSpan(name, null, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException or ArgumentException)
        {
            throw new InputException($"{Source(name)}: '{section.GetString(name)}' is not a duration; accepted: a positive duration with a unit, e.g. 60s, 500ms");
        }
        return value > TimeSpan.Zero
            ? value
            : throw new InputException($"{Source(name)}: '{section.GetString(name)}' is not positive; accepted: a positive duration with a unit, e.g. 60s, 500ms");
    }

    /// <summary>Names a `steerability` setting as the user gave it: its variable when set, else the setting.</summary>
    private static string Source(string setting)
    {
        var variable = EnvironmentOverrides.FirstOrDefault(pair => pair.Value == "steerability." + setting).Key;
        return variable is not null && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable))
            ? variable
            : $"steerability.{setting} (cluster.hocon)";
    }
}
