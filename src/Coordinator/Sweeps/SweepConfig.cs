using System.Reflection;
using Akka.Configuration;
using Steerability.GpuNode.Protocol;

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
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("cluster.hocon")!;
            text = new StreamReader(stream).ReadToEnd();
        }
        var environment = string.Join("\n", EnvironmentOverrides
            .Select(pair => (Path: pair.Value, Value: Environment.GetEnvironmentVariable(pair.Key)))
            .Where(pair => !string.IsNullOrEmpty(pair.Value))
            .Select(pair => $"{pair.Path} = \"{pair.Value!.Replace("\\", "\\\\").Replace("\"", "\\\"")}\""));
        return ConfigurationFactory.ParseString(overrides)
            .WithFallback(ConfigurationFactory.ParseString(environment))
            .WithFallback(ConfigurationFactory.ParseString(text));
    }

    /// <summary>Reads the `steerability` section into the coordinator's and workers' settings.</summary>
    public static (CoordinatorSettings Coordinator, GpuNode.Workers.WorkerSettings Worker) Settings(Config config, int? maxRetries, bool failFast)
    {
        var s = config.GetConfig("steerability");
        var ledger = new LedgerOptions(maxRetries ?? s.GetInt("max-retries", 2), failFast, s.GetTimeSpan("lease-timeout", TimeSpan.FromSeconds(60)));
        return (new CoordinatorSettings(ledger, s.GetTimeSpan("tick-interval", TimeSpan.FromSeconds(1)), s.GetTimeSpan("trials-table-interval", TimeSpan.FromSeconds(10))),
            new GpuNode.Workers.WorkerSettings(s.GetTimeSpan("heartbeat-interval", TimeSpan.FromSeconds(5)), s.GetTimeSpan("retry-interval", TimeSpan.FromSeconds(2))));
    }
}
