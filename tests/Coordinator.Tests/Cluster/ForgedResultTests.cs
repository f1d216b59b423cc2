using Steerability.GpuNode.Contract;
using Akka.Actor;
using Akka.Configuration;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Cluster;

/// <summary>
/// A member of the cluster that is not an honest worker, over 127.0.0.1: it asks for a lease and reports results
/// with a forged token, a stolen trial, paths outside the sweep folder, files that are not there, and another
/// runner. The coordinator acknowledges each and accepts none.
/// </summary>
public sealed class ForgedResultTests
{
    private static readonly Config ClusterConfig = SweepConfig.Cluster(
        Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "cluster.hocon"),
        "akka.remote.dot-netty.tcp.port = 0\nakka.cluster.split-brain-resolver.stable-after = 2s");

    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_member_reporting_forged_results_gets_nothing_accepted()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var coordinator = SweepHost.StartCoordinator(plan, ClusterConfig, SweepFixture.Coordinator);
        // A member with no workers: the test speaks the protocol itself through the member's coordinator proxy.
        var rogue = SweepHost.StartNode(ClusterConfig, [coordinator.Address], new SyntheticTrialRunner(), [], SweepFixture.Worker, "rogue");
        try
        {
            var lease = await AskUntilLeased(rogue.Coordinator, new WorkRequest("rogue/cpu/1", "rogue", "cpu", "synthetic"));
            var trial = TrialSpec.FromJson(lease.TrialJson);
            var other = plan.Trials.First(t => t.Key != lease.Key);
            var ownFile = trial.Kind == "generator"
                ? new PublishedFile(PublishedFile.ArtifactTable, $"{trial.Key}/generator.bin", 0, new string('0', 64))
                : new PublishedFile("alpha_metrics", SweepLayout.TableFilePath("alpha_metrics", trial).Replace('\\', '/'), 3, new string('0', 64));
            TrialFinished Forged(string key, string token, string runner, params PublishedFile[] files) =>
                new(key, lease.Attempt, "rogue/cpu/1", "rogue", "cpu", true, "", files, 1, 0, "", token, runner);

            var forgeries = new[]
            {
                Forged(lease.Key, "forged-token", "synthetic", ownFile),
                Forged(other.Key, lease.Token, "synthetic"),
                Forged(lease.Key, lease.Token, "synthetic", ownFile with { Path = "../../../etc/passwd" }),
                Forged(lease.Key, lease.Token, "synthetic", ownFile with { Path = "/etc/passwd" }),
                Forged(lease.Key, lease.Token, "synthetic", ownFile),
                Forged(lease.Key, lease.Token, "walk", ownFile),
            };
            foreach (var forged in forgeries)
            {
                var ack = await rogue.Coordinator.Ask<TrialFinishedAck>(forged, Answer);
                Assert.Equal(forged.Key, ack.Key);
            }
            Assert.IsType<LeaseRevoked>(await rogue.Coordinator.Ask<object>(
                new TrialHeartbeat(lease.Key, lease.Attempt, "rogue/cpu/1", 0.5, "forged-token"), Answer));

            var status = await coordinator.StatusAsync();
            Assert.Equal(0, status.Done);
            Assert.Equal(forgeries.Length, status.RecentErrors.Count(e => e.Contains("refused")));
            Assert.False(Directory.Exists(Path.Combine(plan.SweepDir, "alpha_metrics")));
        }
        finally
        {
            await Task.WhenAll(rogue.System.Terminate(), coordinator.System.Terminate());
        }
    }

    /// <summary>Asks for work until the coordinator singleton is up and leases a trial.</summary>
    private static async Task<TrialLease> AskUntilLeased(IActorRef coordinator, WorkRequest request)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if (await coordinator.Ask<object>(request, TimeSpan.FromSeconds(3)) is TrialLease lease)
                {
                    return lease;
                }
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
                // The singleton is still starting or the member still joining.
            }
            Assert.True(DateTime.UtcNow < deadline, "no lease within 60 s");
            await Task.Delay(200);
        }
    }
}
