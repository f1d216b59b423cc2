using Steerability.GpuNode.Worker;
using Steerability.GpuNode.Contract;
using Akka.Configuration;
using Xunit;

namespace Steerability.GpuNode.Tests.Contract;

/// <summary>The repository's cluster.hocon is the one place a cluster default is written; the code reads it.</summary>
public sealed class ClusterDefaultsTests
{
    private static string RepositoryClusterHocon()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Steerability.sln")))
        {
            dir = dir.Parent;
        }
        return File.ReadAllText(Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Steerability.sln not found"), "cluster.hocon"));
    }

    [Fact]
    public void The_built_in_defaults_are_the_repositorys_cluster_hocon()
    {
        Assert.Equal(RepositoryClusterHocon(), ClusterDefaults.Text);
    }

    [Fact]
    public void The_worker_defaults_are_read_from_cluster_hocon()
    {
        var written = ConfigurationFactory.ParseString(RepositoryClusterHocon()).GetConfig("steerability");

        Assert.Equal(written.GetTimeSpan("heartbeat-interval"), WorkerSettings.Default.HeartbeatInterval);
        Assert.Equal(written.GetTimeSpan("retry-interval"), WorkerSettings.Default.RetryInterval);
    }

    [Fact]
    public void A_settings_file_that_leaves_a_setting_out_gets_the_built_in_value_and_keeps_its_own()
    {
        var given = ConfigurationFactory.ParseString("steerability { heartbeat-interval = 7s }");

        var section = ClusterDefaults.SteerabilityOf(given);

        Assert.Equal(TimeSpan.FromSeconds(7), section.GetTimeSpan("heartbeat-interval"));
        Assert.Equal(ClusterDefaults.Steerability.GetTimeSpan("lease-timeout"), section.GetTimeSpan("lease-timeout"));
        Assert.Equal(ClusterDefaults.Steerability.GetInt("max-retries"), ClusterDefaults.SteerabilityOf(ConfigurationFactory.Empty).GetInt("max-retries"));
    }
}
