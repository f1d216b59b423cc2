using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;
using Steerability.Coordinator.Tests.Cluster;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Signals;

/// <summary>
/// `steer compact` stopped by SIGINT or SIGTERM (its token cancelled) stops before the next partition, leaves every
/// partition whole (merged, or as it was) with no temporary file, and a later compaction finishes the rest.
/// A compaction cheap enough for a test is over before a signal sent from outside could land in it, so the token is
/// cancelled from the compactor's own step hook, where the signal would be seen.
/// </summary>
public sealed class CompactionCancellationTests
{
    private const string Spec = """
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
    public async Task A_compaction_cancelled_after_its_first_partition_stops_there_and_loses_no_row()
    {
        using var fixture = new SweepFixture();
        File.WriteAllText(fixture.SpecPath, Spec);
        var plan = fixture.Plan();
        await using (var host = SweepHost.StartEmbedded(plan, SweepFixture.Coordinator, SweepFixture.Worker, new SyntheticTrialRunner(), 2, "cpu"))
        {
            var status = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(50), new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
            Assert.True(status.Succeeded, string.Join("; ", status.RecentErrors));
        }
        var before = await Rows(plan.SweepDir);
        var leavesBefore = MergeableLeaves(plan.SweepDir);
        Assert.True(leavesBefore.Count >= 2, $"the fixture has {leavesBefore.Count} partitions with several files; the test needs two");

        using var stop = new CancellationTokenSource();
        var finished = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Compactor.CompactAsync(plan.SweepDir, stop.Token, step =>
        {
            if (step == "done")
            {
                finished++;
                stop.Cancel();
            }
        }));

        Assert.Equal(1, finished);
        Assert.Equal(leavesBefore.Count - 1, MergeableLeaves(plan.SweepDir).Count);
        Assert.Empty(Directory.EnumerateFiles(plan.SweepDir, ".compact*", SearchOption.AllDirectories));
        Assert.Equal(before, await Rows(plan.SweepDir));

        var report = await Compactor.CompactAsync(plan.SweepDir);

        Assert.Equal(leavesBefore.Count - 1, report.Partitions);
        Assert.Empty(MergeableLeaves(plan.SweepDir));
        Assert.Equal(before, await Rows(plan.SweepDir));
    }

    /// <summary>Folders of the result tables holding more than one Parquet file: what a compaction merges.</summary>
    private static List<string> MergeableLeaves(string sweepDir) => SweepQuery.Tables(sweepDir)
        .Where(t => t != TrialsTable.Name)
        .SelectMany(t => Directory.EnumerateFiles(Path.Combine(sweepDir, t), "*.parquet", SearchOption.AllDirectories))
        .GroupBy(Path.GetDirectoryName)
        .Where(g => g.Count() > 1)
        .Select(g => g.Key!)
        .ToList();

    private static async Task<List<string>> Rows(string sweepDir)
    {
        var result = await SweepQuery.RunAsync(sweepDir, "SELECT trial_key, alpha, runner FROM alpha_metrics ORDER BY ALL");
        return result.Rows.Select(r => string.Join("|", r)).ToList();
    }
}
