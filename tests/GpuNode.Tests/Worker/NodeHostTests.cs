using Steerability.GpuNode.Worker;
using Steerability.GpuNode.Contract;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.GpuNode.Tests.Worker;

/// <summary>A node starts, and gives up on a coordinator that never answers, with GpuNode alone (no coordinator code).</summary>
public sealed class NodeHostTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    /// <summary>The built-in cluster.hocon on a free loopback port, with the sweep's message serializer.</summary>
    private static Config NodeConfig() =>
        ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp.port = 0\n{SweepMessageSerializer.Hocon}")
            .WithFallback(ClusterDefaults.Config);

    private static ActorSystem CreateSystem(Config config) => ActorSystem.Create("steer", config);

    /// <summary>A loopback address where nothing listens.</summary>
    private static Address Nowhere()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Address("akka.tcp", "steer", "127.0.0.1", port);
    }

    [Fact]
    public async Task A_node_is_a_gpu_member_with_one_worker_per_device()
    {
        var host = NodeHost.Start(NodeConfig(), CreateSystem, [Nowhere()], new NoWorkTrialRunner(), ["cpu", "cpu"], WorkerSettings.Default, "two");
        try
        {
            Assert.Equal(2, host.Workers.Count);
            Assert.Contains(ClusterRoles.Gpu, Akka.Cluster.Cluster.Get(host.System).SelfRoles);
            Assert.DoesNotContain(ClusterRoles.Coordinator, Akka.Cluster.Cluster.Get(host.System).SelfRoles);
            Assert.Equal("127.0.0.1", host.Address.Host);
            Assert.NotEqual(0, host.Address.Port);
        }
        finally
        {
            await host.System.Terminate().WaitAsync(Bound);
        }
    }

    [Fact]
    public async Task A_node_with_no_coordinator_gives_up_after_join_timeout_with_exit_3()
    {
        var seed = Nowhere();
        var said = new List<string>();
        var joinTimeout = TimeSpan.FromSeconds(2);

        var code = await NodeSession.RunAsync(
            () => NodeHost.Start(NodeConfig(), CreateSystem, [seed], new NoWorkTrialRunner(), ["cpu"], WorkerSettings.Default, "lonely",
                joinTimeout: joinTimeout),
            joinTimeout, said.Add, new CancellationTokenSource(Bound).Token);

        Assert.Equal(NodeSession.CoordinatorLostExitCode, code);
        Assert.StartsWith("node akka.tcp://steer@127.0.0.1:", said[0]);
        Assert.EndsWith("joining with 1 worker(s)", said[0]);
        Assert.Equal("node: no coordinator answered within 2 s (join-timeout); check --seed", said[^1]);
        Assert.DoesNotContain(said, line => line.Contains("sweep complete"));
    }
}
