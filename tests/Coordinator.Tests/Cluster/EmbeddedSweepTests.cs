using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Results;
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
    public async Task A_resumed_sweep_removes_an_altered_result_after_journaling_its_reset_and_runs_only_that_trial_again()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var runner = new CountingRunner(new SyntheticTrialRunner());
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
        await using (var first = SweepHost.StartEmbedded(plan, SweepFixture.Coordinator, SweepFixture.Worker, runner, 2, "cpu"))
        {
            Assert.True((await first.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), timeout)).Succeeded);
        }
        var victim = plan.Trials.First(t => t.Kind == "walk");
        var file = Path.Combine(plan.SweepDir, SweepLayout.TableFilePath("alpha_metrics", victim));
        File.AppendAllText(file, "altered");

        var resumed = SweepFolder.Plan(fixture.SpecPath, fixture.OutDir, newSweep: false);
        await using (var second = SweepHost.StartEmbedded(resumed, SweepFixture.Coordinator, SweepFixture.Worker, runner, 2, "cpu"))
        {
            var status = await second.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), timeout);
            Assert.True(status.Succeeded, string.Join("; ", status.RecentErrors));
            Assert.Equal(0, status.DuplicateResults);
        }

        Assert.Equal(2, runner.Completed[victim.Key]);
        Assert.All(plan.Trials.Where(t => t.Key != victim.Key), t => Assert.Equal(1, runner.Completed[t.Key]));
        SweepFixture.AssertExactlyOneResultPerTrial(plan);
        var published = Assert.Single(TablePublisher.ReadManifest(plan.SweepDir, victim.Key)!.Files, f => f.Table == "alpha_metrics");
        Assert.Equal(published.Sha256, await TablePublisher.Sha256Async(file, CancellationToken.None));
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
