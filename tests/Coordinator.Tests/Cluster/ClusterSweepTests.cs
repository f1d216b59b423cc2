using Steerability.GpuNode.Contract;
using Akka.Configuration;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Cluster;

/// <summary>Several actor systems in one process, joined over 127.0.0.1 on free ports (no multi-node runner here).</summary>
public sealed class ClusterSweepTests
{
    private static readonly Config ClusterConfig = SweepConfig.Cluster(
        Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "cluster.hocon"),
        "akka.remote.dot-netty.tcp.port = 0\nakka.cluster.split-brain-resolver.stable-after = 2s");

    [Fact]
    public async Task A_node_shut_down_mid_trial_loses_nothing_and_each_trial_has_one_set_of_rows()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        // Long enough that node 2, which may join last on a loaded machine, still gets a trial before the others finish them all.
        var runner = new CountingRunner(new SyntheticTrialRunner { Duration = TimeSpan.FromMilliseconds(1500) });
        var coordinator = SweepHost.StartCoordinator(plan, ClusterConfig, SweepFixture.Coordinator);
        // Terminating a node's system must be a crash, not a graceful leave: no coordinated shutdown.
        var crashable = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off").WithFallback(ClusterConfig);
        var nodes = Enumerable.Range(1, 3)
            .Select(i => SweepHost.StartNode(crashable, [coordinator.Address], runner, ["cpu"], SweepFixture.Worker, $"n{i}"))
            .ToList();
        try
        {
            var ct = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
            // Wait until node 2 is running a trial, then take its whole actor system down without leaving.
            RunningTrial? killed = null;
            while (killed is null)
            {
                var status = await coordinator.StatusAsync();
                killed = status.Running.FirstOrDefault(r => r.WorkerId.StartsWith("n2/", StringComparison.Ordinal) && r.Progress > 0);
                Assert.False(status.Finished, "the sweep finished before node 2 ran anything");
                await Task.Delay(20, ct);
            }
            await nodes[1].System.Terminate();

            var final = await coordinator.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(100), ct);

            Assert.True(final.Succeeded, string.Join("; ", final.RecentErrors));
            Assert.Equal(plan.Trials.Count, final.Done);
            Assert.Contains(final.RecentErrors, e => e.Contains(killed.Key));
            SweepFixture.AssertExactlyOneResultPerTrial(plan);
            var trials = await Results.SweepQuery.RunAsync(plan.SweepDir,
                "SELECT count(*) AS n, count(DISTINCT trial_key) AS keys FROM alpha_metrics");
            var walks = plan.Trials.Count(t => t.Kind == "walk");
            Assert.Equal(walks, Convert.ToInt32(trials.Rows[0][1]));
            Assert.Equal(plan.Trials.OfType<WalkTrial>().Sum(t => t.Alphas.Length), Convert.ToInt32(trials.Rows[0][0]));
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.System.Terminate()).Append(coordinator.System.Terminate()));
        }
    }

    [Fact]
    public async Task When_the_coordinator_leaves_mid_sweep_a_standby_takes_over_from_the_journal_and_nothing_runs_twice()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var runner = new CountingRunner(new SyntheticTrialRunner { Duration = TimeSpan.FromMilliseconds(200) });
        var first = SweepHost.StartCoordinator(plan, ClusterConfig, SweepFixture.Coordinator);
        var standby = SweepHost.StartCoordinator(plan, ClusterConfig, SweepFixture.Coordinator, [first.Address]);
        var nodes = Enumerable.Range(1, 2)
            .Select(i => SweepHost.StartNode(ClusterConfig, [first.Address], runner, ["cpu"], SweepFixture.Worker, $"n{i}"))
            .ToList();
        try
        {
            var ct = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
            SweepStatus status;
            do
            {
                await Task.Delay(50, ct);
                status = await first.StatusAsync();
            }
            while (status.Done < 3);
            var doneBefore = runner.Completed.Keys.ToHashSet();

            await first.DisposeAsync(); // leaves the cluster: the singleton moves to the standby, which replays the journal

            var final = await standby.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(100), ct);
            Assert.True(final.Succeeded, string.Join("; ", final.RecentErrors));
            Assert.All(doneBefore, key => Assert.Equal(1, runner.Completed[key]));
            Assert.All(plan.Trials, t => Assert.Equal(1, runner.Completed.GetValueOrDefault(t.Key)));
            SweepFixture.AssertExactlyOneResultPerTrial(plan);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.System.Terminate()).Append(standby.System.Terminate()).Append(first.System.Terminate()));
        }
    }
}
