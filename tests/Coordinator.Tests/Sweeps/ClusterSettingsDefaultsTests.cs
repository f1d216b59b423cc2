using Steerability.Coordinator.Cli;
using Akka.Configuration;
using Steerability.Coordinator.Sweeps;
using Xunit;

namespace Steerability.Coordinator.Tests.Sweeps;

/// <summary>
/// The coordinator's and workers' settings have no defaults of their own: what a cluster.hocon leaves out comes from
/// the built-in cluster.hocon, and a bad value is still refused in one line naming the setting.
/// </summary>
public sealed class ClusterSettingsDefaultsTests
{
    private static Config Written() =>
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(SweepSpecParserTests.RepoRoot(), "cluster.hocon"))).GetConfig("steerability");

    [Fact]
    public void The_default_records_hold_the_values_written_in_cluster_hocon()
    {
        var written = Written();

        Assert.Equal(written.GetTimeSpan("lease-timeout"), CoordinatorSettings.Default.Ledger.LeaseTimeout);
        Assert.Equal(written.GetInt("max-retries"), LedgerOptions.Default.MaxRetries);
        Assert.Equal(written.GetTimeSpan("tick-interval"), CoordinatorSettings.Default.TickInterval);
        Assert.Equal(written.GetTimeSpan("trials-table-interval"), CoordinatorSettings.Default.TrialsTableInterval);
        Assert.Equal(written.GetTimeSpan("join-timeout"), LivenessSettings.Default.JoinTimeout);
        Assert.Equal(written.GetTimeSpan("stall-timeout"), LivenessSettings.Default.StallTimeout);
        Assert.Equal(written.GetInt("ledger-restarts"), LivenessSettings.Default.LedgerRestarts);
    }

    [Fact]
    public void A_settings_file_without_a_steerability_section_gets_every_built_in_value()
    {
        var empty = ConfigurationFactory.ParseString("akka.loglevel = WARNING");

        var (coordinator, worker) = SweepConfig.Settings(empty, null, false);

        Assert.Equal(CoordinatorSettings.Default, coordinator with { Liveness = CoordinatorSettings.Default.Liveness });
        Assert.Equal(Written().GetTimeSpan("heartbeat-interval"), worker.HeartbeatInterval);
        Assert.Equal(LivenessSettings.Default, LivenessSettings.From(empty));
    }

    [Theory]
    [InlineData("steerability { heartbeat-interval = soon }", "steerability.heartbeat-interval (cluster.hocon): 'soon' is not a duration")]
    [InlineData("steerability { max-retries = many }", "steerability.max-retries (cluster.hocon): 'many' is not accepted")]
    [InlineData("steerability { lease-timeout = 6s }", "steerability.lease-timeout (cluster.hocon): '6s' is shorter than twice the heartbeat interval")]
    public void A_bad_value_in_a_settings_file_is_one_line_naming_it(string hocon, string expected)
    {
        var error = Assert.Throws<InputException>(() => SweepConfig.Settings(ConfigurationFactory.ParseString(hocon), null, false));

        Assert.StartsWith(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
