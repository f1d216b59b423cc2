using Steerability.GpuNode.Contract;
using Akka.Configuration;
using Spectre.Console.Testing;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Cluster;

/// <summary>
/// No wait of a sweep is unbounded: trials whose process dies or that stop progressing are failed attempts, a spec no
/// worker can run fails, and a broken ledger ends the command with one line. Each test bounds its own wait, so a
/// regression fails it instead of hanging the suite.
/// </summary>
public sealed class LivenessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_trial_whose_process_dies_counts_as_an_attempt_and_max_retries_holds()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var generator = plan.Trials.Single(t => t.Kind == "generator").Key;
        // One retry allowed; the generator trial "kills its process" every time (the process is dropped mid-trial).
        var settings = SweepFixture.Coordinator with { Ledger = new LedgerOptions(1, false, TimeSpan.FromMinutes(5)) };
        var runner = new StuckRunner(trial => trial.Kind == "generator", reportProgress: true);
        var ct = new CancellationTokenSource(Bound).Token;

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var host = SweepHost.StartEmbedded(plan, settings, SweepFixture.Worker, runner, 1, "cpu");
            try
            {
                var running = await WaitForAsync(host, s => s.Running.FirstOrDefault(r => r.Key == generator), ct);
                Assert.Equal(attempt, running.Attempt);
            }
            finally
            {
                await host.System.Terminate();
            }
        }

        await using var last = SweepHost.StartEmbedded(plan, settings, SweepFixture.Worker, runner, 1, "cpu");
        var final = await last.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), ct);
        Assert.False(final.Succeeded);
        // The generator failed for good after its 2 attempts; its 4 plain walks are blocked; the joint walks are done.
        Assert.Equal(5, final.Failed);
        Assert.Contains(final.RecentErrors, e => e.Contains(generator) && e.Contains("attempt 2") && e.Contains("process ended"));
    }

    [Fact]
    public async Task A_trial_without_progress_for_stall_timeout_is_failed_and_retried()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var generator = plan.Trials.Single(t => t.Kind == "generator").Key;
        // Heartbeats keep the lease alive (lease timeout 5 min); only the stall limit can end the stuck trial.
        var settings = SweepFixture.Coordinator with
        {
            Ledger = new LedgerOptions(1, false, TimeSpan.FromMinutes(5)),
            Liveness = LivenessSettings.Default with { StallTimeout = TimeSpan.FromSeconds(1) },
        };
        var runner = new StuckRunner(trial => trial.Kind == "generator", reportProgress: false);

        await using var host = SweepHost.StartEmbedded(plan, settings, SweepFixture.Worker, runner, 2, "cpu");
        var final = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), new CancellationTokenSource(Bound).Token);

        Assert.False(final.Succeeded);
        Assert.Equal(5, final.Failed);
        Assert.Contains(final.RecentErrors, e => e.Contains(generator) && e.Contains("attempt 1") && e.Contains("no progress"));
        Assert.Contains(final.RecentErrors, e => e.Contains(generator) && e.Contains("attempt 2") && e.Contains("no progress"));
        Assert.Equal(2, runner.Started(generator));
    }

    [Fact]
    public async Task A_spec_no_connected_worker_can_run_says_so_and_fails_after_unplaceable_timeout()
    {
        using var fixture = new SweepFixture();
        var spec = Path.Combine(fixture.Root, "cuda.yaml");
        File.WriteAllText(spec, SweepFixture.Spec + "\ndevice: cuda\n");
        var plan = SweepFolder.Plan(spec, fixture.OutDir, newSweep: false);
        SweepFolder.Create(plan, newSweep: false);
        var settings = SweepFixture.Coordinator with { Liveness = LivenessSettings.Default with { UnplaceableTimeout = TimeSpan.FromSeconds(2) } };
        var cluster = SweepConfig.Cluster(Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "cluster.hocon"), "akka.remote.dot-netty.tcp.port = 0");
        var coordinator = SweepHost.StartCoordinator(plan, cluster, settings);
        var node = SweepHost.StartNode(cluster, [coordinator.Address], new SyntheticTrialRunner(), ["cpu"], SweepFixture.Worker, "cpu-only");
        try
        {
            var final = await coordinator.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(100), new CancellationTokenSource(Bound).Token);

            Assert.False(final.Succeeded);
            Assert.Equal(0, final.Done);
            Assert.Contains("need device cuda", final.AbortReason);
            Assert.Contains("workers: cpu", final.AbortReason);
        }
        finally
        {
            await Task.WhenAll(node.System.Terminate(), coordinator.System.Terminate());
        }
    }

    [Fact]
    public async Task Run_on_a_device_the_spec_excludes_exits_2_at_once_and_writes_nothing()
    {
        using var fixture = new SweepFixture();
        var spec = Path.Combine(fixture.Root, "cuda.yaml");
        File.WriteAllText(spec, SweepFixture.Spec + "\ndevice: cuda\n");
        var errors = new StringWriter();

        var code = await Task.Run(() => SteerApp.Run(["run", spec, "--out", fixture.OutDir, "--runner", "synthetic"], new TestConsole(), errors))
            .WaitAsync(Bound);

        Assert.Equal(SteerApp.InputErrorExitCode, code);
        Assert.StartsWith("steer: --device: 'cpu' cannot run", errors.ToString());
        Assert.Single(errors.ToString().TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(fixture.OutDir));
    }

    [Fact]
    public async Task Run_with_an_unreadable_ledger_ends_with_one_line_and_exit_5()
    {
        using var fixture = new SweepFixture();
        Assert.Equal(0, SteerApp.Run(["run", fixture.SpecPath, "--out", fixture.OutDir, "--runner", "synthetic"], new TestConsole()));
        // This process's pooled connections still hold the old file open: drop them, as a new process would not have them.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var ledger = Directory.EnumerateFiles(fixture.OutDir, "ledger.db", SearchOption.AllDirectories).Single();
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(ledger)!, "ledger.db*"))
        {
            File.Delete(file);
        }
        File.WriteAllText(ledger, new string('x', 4096));
        var errors = new StringWriter();

        var code = await Task.Run(() => SteerApp.Run(["run", fixture.SpecPath, "--out", fixture.OutDir, "--runner", "synthetic"], new TestConsole(), errors))
            .WaitAsync(Bound);

        Assert.Equal(CoordinatorFailedException.ExitCode, code);
        var lines = errors.ToString().TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.Contains("ledger", lines[0]);
        Assert.Contains("damaged", lines[0]);                                  // LedgerFile.Check, before the journal opens it
    }

    /// <summary>Hangs on the trials <paramref name="stuck"/> picks until cancelled; runs the others as synthetic trials.</summary>
    private sealed class StuckRunner(Func<TrialSpec, bool> stuck, bool reportProgress) : ITrialRunner
    {
        private readonly SyntheticTrialRunner _synthetic = new();
        private readonly Dictionary<string, int> _started = new();

        public string Name => _synthetic.Name;

        public int Started(string key)
        {
            lock (_started)
            {
                return _started.GetValueOrDefault(key);
            }
        }

        public async Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
        {
            if (!stuck(trial))
            {
                return await _synthetic.RunAsync(trial, context, ct);
            }
            lock (_started)
            {
                _started[trial.Key] = _started.GetValueOrDefault(trial.Key) + 1;
            }
            for (var step = 1; ; step++)
            {
                if (reportProgress)
                {
                    context.Progress(1 - 1.0 / (step + 1));
                }
                await Task.Delay(100, ct);
            }
        }
    }

    private static async Task<T> WaitForAsync<T>(SweepHost host, Func<SweepStatus, T?> pick, CancellationToken ct) where T : class
    {
        while (true)
        {
            if (pick(await host.StatusAsync()) is { } found)
            {
                return found;
            }
            await Task.Delay(50, ct);
        }
    }
}
