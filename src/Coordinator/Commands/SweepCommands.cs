using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;
using Steerability.GpuNode.Workers;

namespace Steerability.Coordinator.Commands;

/// <summary>Flags shared by the commands that coordinate a sweep.</summary>
public class SweepRunSettings : CommandSettings
{
    [CommandArgument(0, "<SPEC>")]
    [Description("Sweep spec (YAML), e.g. experiments/quickstart.yaml")]
    public string Spec { get; init; } = "";

    [CommandOption("--out <DIR>")]
    [Description("Folder for sweeps; the sweep goes to DIR/<sweep name> (default: results)")]
    public string Out { get; init; } = "results";

    [CommandOption("--new-sweep")]
    [Description("Start over when the spec's trials differ from the sweep in the folder (the old folder is kept aside)")]
    public bool NewSweep { get; init; }

    [CommandOption("--max-retries <N>")]
    [Description("Attempts after the first before a trial fails for good (default: cluster.hocon, 2)")]
    public int? MaxRetries { get; init; }

    [CommandOption("--fail-fast")]
    [Description("Stop leasing new trials once one has failed for good (running ones finish)")]
    public bool FailFast { get; init; }

    [CommandOption("--runner <NAME>")]
    [Description("Trial runner: walk (default: trains generators and walks), synthetic (small real tables, no training) or nowork")]
    public string Runner { get; init; } = TrialRunners.Default;

    [CommandOption("--config <FILE>")]
    [Description("Cluster settings (default: ./cluster.hocon, else built-in defaults)")]
    public string? Config { get; init; }

    public override ValidationResult Validate()
    {
        if (MaxRetries is < 0)
        {
            return ValidationResult.Error($"--max-retries: '{MaxRetries}' is negative; accepted: 0, 1, 2, ...");
        }
        return TrialRunners.Names.Contains(Runner)
            ? ValidationResult.Success()
            : ValidationResult.Error($"--runner: '{Runner}' is not a trial runner; accepted: {string.Join(", ", TrialRunners.Names)}");
    }
}

/// <summary>`steer run SPEC`: coordinator and local workers in one process; running it again resumes.</summary>
public sealed class RunCommand(IAnsiConsole console) : AsyncCommand<RunCommand.Settings>
{
    public sealed class Settings : SweepRunSettings
    {
        [CommandOption("--workers <N>")]
        [Description("Local workers (default: 1)")]
        public int Workers { get; init; } = 1;

        [CommandOption("--device <DEVICE>")]
        [Description("Device of the local workers: cpu, cuda, cuda:N (default: cpu)")]
        public string Device { get; init; } = "cpu";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        if (settings.Workers < 1)
        {
            throw new InputException($"--workers: '{settings.Workers}' is too few; accepted: 1 or more");
        }
        var plan = SweepFolder.Plan(settings.Spec, settings.Out, settings.NewSweep);
        var config = SweepConfig.Cluster(settings.Config, "");
        var (coordinator, worker) = SweepConfig.Settings(config, settings.MaxRetries, settings.FailFast);
        coordinator = coordinator with { Liveness = LivenessSettings.From(config) };
        // Local workers are all there is: a trial none of them can run would wait forever.
        var unfit = plan.Trials.Where(t => !CoordinatorWatch.Fits(t.Device, settings.Device)).Select(t => t.Device).Distinct().ToList();
        if (unfit.Count > 0)
        {
            throw new InputException($"--device: '{settings.Device}' cannot run this spec's trials, which need device {string.Join(", ", unfit)}; " +
                "accepted: a device the spec allows (or start nodes with `steer coordinator` and `steer node`)");
        }
        using var sweepLock = SweepLock.Acquire(plan.SweepDir, "run");
        if (!settings.NewSweep)
        {
            LedgerFile.Check(plan.LedgerPath);
            if (Directory.Exists(plan.SweepDir))
            {
                Compactor.Recover(plan.SweepDir); // a compaction killed midway is finished before results are checked
            }
        }
        SweepFolder.Create(plan, settings.NewSweep);
        RunProvenance.Now("steer run", settings.Runner, string.Join(", ", plan.Spec.Models), RunProvenance.PerTrialKeys, settings.Device).Write(plan.SweepDir);
        console.WriteLine($"sweep {plan.Spec.Name}: {plan.Trials.Count} trials -> {plan.SweepDir}");
        await using var host = SweepHost.StartEmbedded(plan, coordinator, worker, TrialRunners.Create(settings.Runner),
            settings.Workers, settings.Device);
        var status = await SweepProgress.FollowAsync(host, console, ct);
        await host.WorkersStoppedAsync().WaitAsync(TimeSpan.FromSeconds(10), ct).ContinueWith(_ => { });
        return await Finish(console, status, plan.SweepDir, ct);
    }

    /// <summary>Prints how the sweep ended and writes its report (when it has results), then gives the exit code.</summary>
    internal static async Task<int> Finish(IAnsiConsole console, SweepStatus status, string sweepDir, CancellationToken ct)
    {
        console.WriteLine($"{SweepProgress.Line(status, TimeSpan.Zero)}{(status.AbortReason.Length > 0 ? "; stopped: " + status.AbortReason : "")}");
        foreach (var error in status.RecentErrors.TakeLast(5))
        {
            console.WriteLine($"  error: {error}");
        }
        console.WriteLine($"results: {sweepDir}");
        if (Results.SweepQuery.Tables(sweepDir).Contains("alpha_metrics"))
        {
            await ReportStep.WriteAsync(console, sweepDir, ct);
        }
        else
        {
            console.WriteLine("report: none yet (no trial has written alpha_metrics)");
        }
        return status.Succeeded ? 0 : 1;
    }
}

/// <summary>`steer coordinator SPEC --port P`: the coordinator of a multi-process cluster.</summary>
public sealed class CoordinatorCommand(IAnsiConsole console) : AsyncCommand<CoordinatorCommand.Settings>
{
    public sealed class Settings : SweepRunSettings
    {
        [CommandOption("--port <PORT>")]
        [Description("Port to listen on; nodes join with --seed HOST:PORT (default: cluster.hocon / STEER_PORT)")]
        public int? Port { get; init; }

        [CommandOption("--hostname <HOST>")]
        [Description("Address to bind (default: 127.0.0.1); beyond loopback TLS is required unless --insecure")]
        public string? Hostname { get; init; }

        [CommandOption("--insecure")]
        [Description("Allow binding a non-loopback address without TLS (a network you trust)")]
        public bool Insecure { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var plan = SweepFolder.Plan(settings.Spec, settings.Out, settings.NewSweep);
        var cluster = SweepConfig.Cluster(settings.Config, ClusterCommands.Overrides(settings.Hostname, settings.Port));
        ClusterTls.CheckExposure(cluster, settings.Insecure);
        var (coordinator, _) = SweepConfig.Settings(cluster, settings.MaxRetries, settings.FailFast);
        coordinator = coordinator with { Ledger = coordinator.Ledger with { Runner = settings.Runner }, Liveness = LivenessSettings.From(cluster) };
        using var sweepLock = SweepLock.Acquire(plan.SweepDir, "coordinator");
        if (!settings.NewSweep)
        {
            LedgerFile.Check(plan.LedgerPath);
            if (Directory.Exists(plan.SweepDir))
            {
                Compactor.Recover(plan.SweepDir); // a compaction killed midway is finished before results are checked
            }
        }
        SweepFolder.Create(plan, settings.NewSweep);
        RunProvenance.Now("steer coordinator", RunProvenance.RunnerPerNode, string.Join(", ", plan.Spec.Models), RunProvenance.PerTrialKeys, "each node's --device (see the trials table)")
            .Write(plan.SweepDir);
        await using var host = SweepHost.StartCoordinator(plan, cluster, coordinator);
        console.WriteLine($"coordinator for sweep {plan.Spec.Name} ({plan.Trials.Count} trials) at {host.Address}; " +
            $"start nodes with: steer node --seed {host.Address.Host}:{host.Address.Port} --device cpu");
        var status = await SweepProgress.FollowAsync(host, console, ct);
        // Give nodes time to hear that the sweep is complete and leave before this seed goes away.
        var members = Akka.Cluster.Cluster.Get(host.System);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && members.State.Members.Any(m => m.HasRole(SweepHost.GpuRole) && m.Status == Akka.Cluster.MemberStatus.Up))
        {
            await Task.Delay(200, ct);
        }
        // Nodes still up after that are told nothing more; they leave when they lose this coordinator (join-timeout).
        return await RunCommand.Finish(console, status, plan.SweepDir, ct);
    }
}

/// <summary>`steer node --seed HOST:P --device D`: one worker per device, pulling trials from the coordinator.</summary>
public sealed class NodeCommand(IAnsiConsole console) : AsyncCommand<NodeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--seed <HOST:PORT>")]
        [Description("The coordinator's address (repeat for several seeds)")]
        public string[] Seeds { get; init; } = [];

        [CommandOption("--device <DEVICE>")]
        [Description("Device to run trials on: cpu, cuda, cuda:N; repeat for one worker per device (default: cpu)")]
        public string[] Devices { get; init; } = [];

        [CommandOption("--hostname <HOST>")]
        [Description("Address to bind (default: 127.0.0.1)")]
        public string? Hostname { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("Port to listen on (default: a free one)")]
        public int? Port { get; init; }

        [CommandOption("--insecure")]
        [Description("Allow binding a non-loopback address without TLS (a network you trust)")]
        public bool Insecure { get; init; }

        [CommandOption("--runner <NAME>")]
        [Description("Trial runner: walk (default), synthetic or nowork")]
        public string Runner { get; init; } = TrialRunners.Default;

        [CommandOption("--config <FILE>")]
        [Description("Cluster settings (default: ./cluster.hocon, else built-in defaults)")]
        public string? Config { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        if (settings.Seeds.Length == 0)
        {
            throw new InputException("--seed: missing; accepted: the coordinator's HOST:PORT, e.g. --seed 127.0.0.1:4053");
        }
        var seeds = settings.Seeds.Select(ClusterCommands.ParseSeed).ToList();
        var devices = settings.Devices.Length == 0 ? ["cpu"] : settings.Devices;
        foreach (var device in devices)
        {
            if (!Experiments.Runtime.ComputeDevice.IsValidSpelling(device) || device == "auto")
            {
                throw new InputException($"--device: '{device}' is not a device; accepted: cpu, cuda, cuda:N");
            }
        }
        var runner = TrialRunners.Names.Contains(settings.Runner)
            ? TrialRunners.Create(settings.Runner)
            : throw new InputException($"--runner: '{settings.Runner}' is not a trial runner; accepted: {string.Join(", ", TrialRunners.Names)}");
        var cluster = SweepConfig.Cluster(settings.Config, ClusterCommands.Overrides(settings.Hostname, settings.Port));
        ClusterTls.CheckExposure(cluster, settings.Insecure);
        var (_, worker) = SweepConfig.Settings(cluster, null, false);
        var liveness = LivenessSettings.From(cluster);
        string? refused = null;
        console.WriteLine($"node: coordinator {string.Join(", ", seeds)}; devices: {string.Join(", ", devices)}");
        // Joins, runs trials until the sweep is complete, rejoins a coordinator that restarted; exit 3 if none answers.
        var code = await NodeSession.RunAsync(() => SweepHost.StartNode(cluster, seeds, runner, devices, worker,
                onRefused: reason => Volatile.Write(ref refused, reason), joinTimeout: liveness.JoinTimeout),
            liveness.JoinTimeout, line => console.WriteLine(line), ct);
        if (Volatile.Read(ref refused) is { } reason)
        {
            throw new InputException($"--runner: the coordinator refused this node: {reason}");
        }
        return code;
    }
}

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

/// <summary>A command that takes a sweep folder.</summary>
public class SweepDirSettings : CommandSettings
{
    [CommandArgument(0, "<DIR>")]
    [Description("A sweep folder (results/<sweep>) or the --out folder holding it")]
    public string Dir { get; init; } = "";
}

/// <summary>`steer status DIR`: trials by status and kind, and the latest errors, from the trials table.</summary>
public sealed class StatusCommand(IAnsiConsole console) : AsyncCommand<SweepDirSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SweepDirSettings settings, CancellationToken ct)
    {
        var sweepDir = SweepFolder.Resolve(settings.Dir);
        if (!File.Exists(TrialsTable.PathIn(sweepDir)))
        {
            console.WriteLine($"{sweepDir}: no trials table yet (the sweep has just started)");
            return 0;
        }
        var summary = await SweepQuery.RunAsync(sweepDir,
            "SELECT kind, status, count(*) AS trials, sum(attempts) AS attempts, round(sum(wall_seconds), 1) AS wall_seconds FROM trials GROUP BY ALL ORDER BY ALL", ct);
        QueryCommand.Print(console, summary);
        var errors = await SweepQuery.RunAsync(sweepDir,
            "SELECT key, transform, walk, regime, attempts, error FROM trials WHERE status = 'failed' ORDER BY key LIMIT 10", ct);
        if (errors.Rows.Count > 0)
        {
            QueryCommand.Print(console, errors);
        }
        return 0;
    }
}

/// <summary>`steer query DIR "SQL"`: DuckDB over the sweep's tables, each a view named after its table.</summary>
public sealed class QueryCommand(IAnsiConsole console) : AsyncCommand<QueryCommand.Settings>
{
    public sealed class Settings : SweepDirSettings
    {
        [CommandArgument(1, "<SQL>")]
        [Description("DuckDB SQL; the views are the sweep's tables: alpha_metrics, trials, ...")]
        public string Sql { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var result = await SweepQuery.RunAsync(TablesFolder(settings.Dir), settings.Sql, ct);
        Print(console, result);
        return 0;
    }

    /// <summary>A sweep folder, or any folder with Parquet tables at its top (what `walk`, `limits`, `remedies` and `demo` write).</summary>
    private static string TablesFolder(string dir)
    {
        var full = Path.GetFullPath(dir);
        if (Directory.Exists(full) && !File.Exists(Path.Combine(full, SweepFolder.MarkerName)) && Directory.EnumerateFiles(full, "*.parquet").Any())
        {
            return full;
        }
        return SweepFolder.Resolve(dir);
    }

    /// <summary>A table on a terminal; tab-separated lines with a header otherwise (for scripts).</summary>
    internal static void Print(IAnsiConsole console, QueryResult result)
    {
        static string Text(object? value) => value switch
        {
            null => "",
            double d => d.ToString("G6", CultureInfo.InvariantCulture),
            float f => f.ToString("G6", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        if (!console.Profile.Capabilities.Interactive)
        {
            console.WriteLine(string.Join('\t', result.Columns));
            foreach (var row in result.Rows)
            {
                console.WriteLine(string.Join('\t', row.Select(Text)));
            }
            return;
        }
        var table = new Table();
        foreach (var column in result.Columns)
        {
            table.AddColumn(Markup.Escape(column));
        }
        foreach (var row in result.Rows)
        {
            table.AddRow(row.Select(v => Markup.Escape(Text(v))).ToArray());
        }
        console.Write(table);
    }
}

/// <summary>`steer compact DIR`: merges each partition's small files into one.</summary>
public sealed class CompactCommand(IAnsiConsole console) : AsyncCommand<SweepDirSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SweepDirSettings settings, CancellationToken ct)
    {
        var sweepDir = SweepFolder.Resolve(settings.Dir);
        // Compaction rewrites manifests and removes files: never while a coordinator publishes into the folder.
        using var sweepLock = SweepLock.Acquire(sweepDir, "compact");
        var report = await Compactor.CompactAsync(sweepDir, ct);
        console.WriteLine($"compacted {report.FilesMerged} files into {report.Partitions} in {sweepDir}");
        return 0;
    }
}

/// <summary>`steer bench orchestration`: trials that do no work, to measure the coordinator and workers themselves.</summary>
public sealed class BenchOrchestrationCommand(IAnsiConsole console) : AsyncCommand<BenchOrchestrationCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--trials <N>")]
        [Description("Trials to run (default: 1000)")]
        public int Trials { get; init; } = 1000;

        [CommandOption("--nodes <N>")]
        [Description("Workers, one per node (default: 4)")]
        public int Nodes { get; init; } = 4;

        [CommandOption("--cluster")]
        [Description("Run each node as its own actor system joined over 127.0.0.1 (default: one process, no network)")]
        public bool Cluster { get; init; }

        [CommandOption("--journal <KIND>")]
        [Description("sqlite (default, as in real sweeps) or memory")]
        public string Journal { get; init; } = "sqlite";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        if (settings.Trials < 1 || settings.Nodes < 1)
        {
            throw new InputException($"--trials/--nodes: '{settings.Trials}'/'{settings.Nodes}' must be positive; accepted: 1 or more");
        }
        if (settings.Journal is not ("sqlite" or "memory"))
        {
            throw new InputException($"--journal: '{settings.Journal}' is not a journal; accepted: sqlite, memory");
        }
        var root = Path.Combine(Path.GetTempPath(), $"steer-bench-{Guid.NewGuid():N}");
        try
        {
            var plan = BenchPlan(root, settings.Trials);
            SweepFolder.Create(plan, false);
            var coordinatorSettings = new CoordinatorSettings(new LedgerOptions(2, false, TimeSpan.FromSeconds(30), "nowork"),
                TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
            var workerSettings = new WorkerSettings(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
            var journal = settings.Journal == "memory" ? SweepConfig.MemoryJournal() : SweepConfig.SqliteJournal(plan.LedgerPath);
            var clock = Stopwatch.StartNew();
            SweepStatus status;
            LeaseTimings timings;
            if (!settings.Cluster)
            {
                await using var host = SweepHost.StartEmbedded(plan, coordinatorSettings, workerSettings, new NoWorkTrialRunner(),
                    settings.Nodes, "cpu", journal);
                status = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(20), ct);
                clock.Stop();
                status = await host.StatusAsync(withLatencies: true);
                timings = await host.LeaseTimingsAsync();
            }
            else
            {
                var cluster = SweepConfig.Cluster(null, "akka.remote.dot-netty.tcp.port = 0").WithFallback(journal);
                var coordinator = SweepHost.StartCoordinator(plan, cluster, coordinatorSettings);
                var nodes = Enumerable.Range(1, settings.Nodes)
                    .Select(i => SweepHost.StartNode(cluster, [coordinator.Address], new NoWorkTrialRunner(), ["cpu"], workerSettings, $"n{i}"))
                    .ToList();
                status = await coordinator.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(20), ct);
                clock.Stop();
                status = await coordinator.StatusAsync(withLatencies: true);
                timings = await coordinator.LeaseTimingsAsync();
                await Task.WhenAll(nodes.Select(n => n.System.Terminate()).Append(coordinator.System.Terminate()));
            }
            var queued = status.LeaseLatencies.Select(l => l.TotalMilliseconds).Order().ToList();
            var granted = timings.RequestToLease.Select(l => l.TotalMilliseconds).Order().ToList();
            console.WriteLine($"orchestration: {status.Done}/{settings.Trials} trials on {settings.Nodes} node(s) " +
                $"({(settings.Cluster ? "cluster over 127.0.0.1" : "one process")}, {settings.Journal} journal) in {clock.Elapsed.TotalSeconds:F2} s");
            console.WriteLine($"throughput: {status.Done / clock.Elapsed.TotalSeconds:F1} trials/s " +
                "(nowork trials: no attempt folder, no files, no manifest; the journal is their only record)");
            console.WriteLine($"request -> lease: p50 {Percentile(granted, 0.50):F2} ms, p99 {Percentile(granted, 0.99):F2} ms " +
                $"over {granted.Count} leases (a worker's request, or the result that asks for its next trial, arriving at the coordinator to its lease sent, journaled)");
            console.WriteLine($"queued (ready -> lease): p50 {Percentile(queued, 0.50):F1} ms, p99 {Percentile(queued, 0.99):F1} ms " +
                "(every trial is ready at the start, so this is mostly waiting for a free worker)");
            return status.Succeeded ? 0 : 1;
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static SweepPlan BenchPlan(string root, int trials)
    {
        var spec = new SweepSpec
        {
            Name = "bench", SourcePath = "bench", Models = ["shapes"], Classes = ["all"], Transforms = ["zoom"],
            Walks = ["linear"], Regimes = ["joint"], Alphas = new Dictionary<string, AlphaGrid>(), Seeds = [],
            GeneratorBudget = new Budget(1, 1), WalkBudget = new Budget(1, 1),
        };
        var list = Enumerable.Range(0, trials).Select(seed => new TrialSpec
        {
            Kind = "walk", Model = "shapes", Transform = "zoom", Walk = "linear", Regime = "joint", Seed = seed, Steps = 1, Batch = 1,
        }).ToList();
        return new SweepPlan(spec, list, Path.Combine(root, "bench"), Path.Combine(root, "artifacts"), "bench");
    }

    private static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
