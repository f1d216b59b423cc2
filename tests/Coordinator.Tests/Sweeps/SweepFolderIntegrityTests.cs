using Spectre.Console.Testing;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;
using Steerability.Coordinator.Tests.Cluster;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Sweeps;

/// <summary>
/// The sweep folder keeps its promise across processes and crashes: one coordinator at a time, a damaged ledger is
/// one line, a killed compaction is finished with no row lost or doubled, and bad STEER_* values are refused.
/// </summary>
public sealed class SweepFolderIntegrityTests
{
    private const string SeededSpec = """
        sweep: fixture
        models: [shapes]
        transforms: [zoom, shiftx]
        walks: [linear]
        regimes: [plain]
        seeds: [0, 1, 2]
        alphas:
          zoom: [0.5, 1, 2]
          shiftx: [-8, 0, 8]
        budget:
          generator: {steps: 3, batch: 2}
          walk: {steps: 3, batch: 2}
        """;

    [Fact]
    public void A_second_coordinator_on_one_sweep_folder_is_refused_until_the_first_ends()
    {
        using var fixture = new SweepFixture();
        var sweepDir = Path.Combine(fixture.OutDir, "fixture");

        using (var first = SweepLock.Acquire(sweepDir, "run"))
        {
            var refused = Assert.Throws<SweepFolderException>(() => SweepLock.Acquire(sweepDir, "coordinator"));
            Assert.Contains("in use by another coordinator", refused.Message);
            Assert.Contains($"pid {Environment.ProcessId}", refused.Message);
            Assert.DoesNotContain('\n', refused.Message);
        }

        using var again = SweepLock.Acquire(sweepDir, "run");
    }

    [Fact]
    public void Run_on_a_folder_whose_coordinator_is_running_exits_5_with_one_line_and_changes_nothing()
    {
        using var fixture = new SweepFixture();
        var sweepDir = Path.Combine(fixture.OutDir, "fixture");
        using var running = SweepLock.Acquire(sweepDir, "run");
        var errors = new StringWriter();

        var code = SteerApp.Run(["run", fixture.SpecPath, "--out", fixture.OutDir, "--runner", "synthetic"], new TestConsole(), errors);

        Assert.Equal(SteerApp.SweepFolderExitCode, code);
        Assert.Single(errors.ToString().Trim().Split('\n'));
        Assert.False(Directory.Exists(sweepDir), "a refused run must write nothing");
    }

    [Fact]
    public void A_damaged_ledger_is_one_line_and_exit_5_not_an_endless_retry()
    {
        using var fixture = new SweepFixture();
        Assert.Equal(0, SteerApp.Run(["run", fixture.SpecPath, "--out", fixture.OutDir, "--runner", "synthetic"], new TestConsole()));
        var ledger = Path.Combine(fixture.OutDir, "fixture", "ledger.db");
        // As a new process would find it: the ledger is in write-ahead-log mode, and a connection this process still
        // pools would serve every page from the log, never reading the damaged file.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        LedgerFile.Check(ledger);
        File.WriteAllBytes(ledger, new Random(7).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 4096));
        var errors = new StringWriter();

        var code = SteerApp.Run(["run", fixture.SpecPath, "--out", fixture.OutDir, "--runner", "synthetic"], new TestConsole(), errors);

        Assert.Equal(SteerApp.SweepFolderExitCode, code);
        var line = Assert.Single(errors.ToString().Trim().Split('\n'));
        Assert.Contains("ledger is damaged", line);
        Assert.Contains(ledger, line);
    }

    [Theory]
    [InlineData("merged")]
    [InlineData("intent")]
    [InlineData("renamed")]
    [InlineData("manifest")]
    [InlineData("deleted")]
    [InlineData("done")]
    public async Task A_compaction_stopped_at_any_step_is_finished_next_time_without_a_row_lost_or_doubled(string stopAt)
    {
        using var fixture = new SweepFixture();
        File.WriteAllText(fixture.SpecPath, SeededSpec);
        var plan = fixture.Plan();
        await using (var host = SweepHost.StartEmbedded(plan, SweepFixture.Coordinator, SweepFixture.Worker, new SyntheticTrialRunner(), 2, "cpu"))
        {
            var status = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
            Assert.True(status.Succeeded, string.Join("; ", status.RecentErrors));
        }
        var before = await Rows(plan.SweepDir);
        Assert.Equal(6 * 3, before.Count);

        // A process killed at that step runs nothing after it: the exception stands in for kill -9.
        await Assert.ThrowsAsync<StoppedHere>(() => Compactor.CompactAsync(plan.SweepDir, step: s =>
        {
            if (s == stopAt)
            {
                throw new StoppedHere();
            }
        }));
        var report = await Compactor.CompactAsync(plan.SweepDir);

        Assert.Equal(before, await Rows(plan.SweepDir));
        Assert.Empty(Directory.EnumerateFiles(plan.SweepDir, ".compact*", SearchOption.AllDirectories));
        Assert.All(Directory.EnumerateDirectories(Path.Combine(plan.SweepDir, "alpha_metrics"), "regime=*", SearchOption.AllDirectories),
            leaf => Assert.Single(Directory.EnumerateFiles(leaf, "*.parquet")));
        // Every manifest points at files that are there with its checksums, so a resume reruns nothing.
        foreach (var trial in plan.Trials.Where(t => t.Kind == "walk"))
        {
            var manifest = TablePublisher.ReadManifest(plan.SweepDir, trial.Key)!;
            foreach (var file in manifest.Files)
            {
                Assert.Equal(file.Sha256, await TablePublisher.Sha256Async(Path.Combine(plan.SweepDir, file.Path), CancellationToken.None));
            }
        }
        // Each partition merged had two files or more, and nothing is left to merge.
        Assert.True(report.FilesMerged >= 2 * report.Partitions, $"{report.FilesMerged} files merged into {report.Partitions} partitions");
        Assert.Equal(new Compactor.Report(0, 0), await Compactor.CompactAsync(plan.SweepDir));
    }

    [Theory]
    [InlineData("STEER_LEASE_TIMEOUT", "abc")]
    [InlineData("STEER_LEASE_TIMEOUT", "-5s")]
    [InlineData("STEER_HEARTBEAT_INTERVAL", "0s")]
    [InlineData("STEER_MAX_RETRIES", "two")]
    [InlineData("STEER_PORT", "70000")]
    [InlineData("STEER_TLS", "maybe")]
    [InlineData("STEER_HOSTNAME", "not a host")]
    [InlineData("STEER_SYNTHETIC_SECONDS", "NaN")]
    public void A_bad_STEER_variable_is_one_line_exit_2_and_nothing_written(string variable, string value)
    {
        using var fixture = new SweepFixture();
        var errors = new StringWriter();
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            var code = SteerApp.Run(["run", fixture.SpecPath, "--out", fixture.OutDir, "--runner", "synthetic"], new TestConsole(), errors);

            Assert.Equal(SteerApp.InputErrorExitCode, code);
            var line = Assert.Single(errors.ToString().Trim().Split('\n'));
            Assert.Contains($"{variable}: '{value}'", line);
            Assert.Contains("accepted:", line);
            Assert.False(Directory.Exists(fixture.OutDir), "a bad variable must write nothing");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_lease_timeout_under_twice_the_heartbeat_is_refused_naming_both()
    {
        using var fixture = new SweepFixture();
        var errors = new StringWriter();
        Environment.SetEnvironmentVariable("STEER_LEASE_TIMEOUT", "1s");
        try
        {
            var code = SteerApp.Run(["run", fixture.SpecPath, "--out", fixture.OutDir, "--runner", "synthetic"], new TestConsole(), errors);

            Assert.Equal(SteerApp.InputErrorExitCode, code);
            var line = Assert.Single(errors.ToString().Trim().Split('\n'));
            Assert.Contains("STEER_LEASE_TIMEOUT: '1s' is shorter than twice the heartbeat interval", line);
            Assert.False(Directory.Exists(fixture.OutDir));
        }
        finally
        {
            Environment.SetEnvironmentVariable("STEER_LEASE_TIMEOUT", null);
        }
    }

    private static async Task<List<string>> Rows(string sweepDir)
    {
        var result = await SweepQuery.RunAsync(sweepDir, "SELECT trial_key, alpha, runner FROM alpha_metrics ORDER BY ALL");
        return result.Rows.Select(r => string.Join("|", r)).ToList();
    }

    private sealed class StoppedHere : Exception;
}
