using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Cluster;

public sealed class EmbeddedSweepTests
{
    [Fact]
    public async Task A_sweep_runs_every_trial_once_with_generators_before_their_walks()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var runner = new CountingRunner(new SyntheticTrialRunner());

        await using (var host = SweepHost.StartEmbedded(plan, SweepFixture.Coordinator, SweepFixture.Worker, runner, 2, "cpu"))
        {
            var status = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.True(status.Succeeded, string.Join("; ", status.RecentErrors));
            Assert.Equal(plan.Trials.Count, status.Done);
            await host.WorkersStoppedAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.All(plan.Trials, t => Assert.Equal(1, runner.Completed.GetValueOrDefault(t.Key)));
        SweepFixture.AssertExactlyOneResultPerTrial(plan);
        Assert.True(File.Exists(Results.TrialsTable.PathIn(plan.SweepDir)));
    }

    [Fact]
    public async Task A_coordinator_stopped_mid_sweep_resumes_from_its_journal_and_reruns_nothing_finished()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var runner = new CountingRunner(new SyntheticTrialRunner { Duration = TimeSpan.FromMilliseconds(150) });
        HashSet<string> doneBefore;

        await using (var first = SweepHost.StartEmbedded(plan, SweepFixture.Coordinator, SweepFixture.Worker, runner, 2, "cpu"))
        {
            SweepStatus status;
            do
            {
                await Task.Delay(50);
                status = await first.StatusAsync();
            }
            while (status.Done < 4);
            doneBefore = runner.Completed.Keys.ToHashSet();
        }

        var resumed = SweepFolder.Plan(fixture.SpecPath, fixture.OutDir, newSweep: false);
        await using (var second = SweepHost.StartEmbedded(resumed, SweepFixture.Coordinator, SweepFixture.Worker, runner, 2, "cpu"))
        {
            var status = await second.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.True(status.Succeeded, string.Join("; ", status.RecentErrors));
            Assert.Equal(0, status.DuplicateResults);
        }

        Assert.True(doneBefore.Count >= 4);
        Assert.All(plan.Trials, t => Assert.True(runner.Completed.GetValueOrDefault(t.Key) >= 1, $"{t.Label} never ran"));
        Assert.All(doneBefore, key => Assert.Equal(1, runner.Completed[key]));
        SweepFixture.AssertExactlyOneResultPerTrial(plan);
    }

    [Fact]
    public async Task A_trial_that_keeps_failing_is_retried_then_failed_and_the_rest_still_run()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var doomed = plan.Trials.First(t => t.Kind == "walk" && t.Regime == "joint");
        var runner = new SyntheticTrialRunner { FailWhen = (t, _) => t.Key == doomed.Key };

        await using var host = SweepHost.StartEmbedded(plan, SweepFixture.Coordinator, SweepFixture.Worker, runner, 2, "cpu");
        var status = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.False(status.Succeeded);
        Assert.Equal(1, status.Failed);
        Assert.Equal(plan.Trials.Count - 1, status.Done);
        Assert.Contains(status.RecentErrors, e => e.Contains("synthetic failure"));
    }
}
