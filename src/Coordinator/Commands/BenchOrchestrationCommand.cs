using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Worker;
using Steerability.GpuNode.Contract;
using Steerability.Experiments.Families;
using System.ComponentModel;
using System.Diagnostics;
using Akka.Actor;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

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
            Name = "bench",
            SourcePath = "bench",
            Models = [GeneratorFamilies.DefaultName],
            Classes = ["all"],
            Transforms = ["zoom"],
            Walks = ["linear"],
            Regimes = ["joint"],
            Alphas = new Dictionary<string, AlphaGrid>(),
            Seeds = [],
            GeneratorBudget = new Budget(1, 1),
            WalkBudget = new Budget(1, 1),
            Generators = new Dictionary<string, FamilyDescription>(),
        };
        var list = Enumerable.Range(0, trials).Select(seed => new WalkTrial
        {
            Model = GeneratorFamilies.DefaultName,
            Transform = "zoom",
            Walk = "linear",
            Regime = "joint",
            Seed = seed,
            Steps = 1,
            Batch = 1,
            LearningRate = 0.1,
            EvalLatents = 1,
            Alphas = [],
        } as TrialSpec).ToList();
        return new SweepPlan(spec, list, Path.Combine(root, "bench"), Path.Combine(root, "artifacts"), "bench");
    }

    private static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
