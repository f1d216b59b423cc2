using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Worker;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Configuration;
using Spectre.Console.Testing;
using Steerability.Coordinator.Sweeps;
using Xunit;

namespace Steerability.Coordinator.Tests.Cluster;

/// <summary>
/// `steer node` and `steer coordinator` end every way with one line and a documented exit code: a node gives up on
/// a coordinator that never answers, rejoins one that restarted, and both commands stop on SIGTERM as on SIGINT.
/// </summary>
public sealed class NodeLifecycleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_node_with_no_coordinator_gives_up_after_join_timeout_with_one_line_and_exit_3()
    {
        using var fixture = new SweepFixture();
        var config = WriteConfig(fixture.Root, "steerability.join-timeout = 3s");
        var console = new TestConsole();

        var code = await Task.Run(() => SteerApp.Run(["node", "--seed", $"127.0.0.1:{FreePort()}", "--runner", "synthetic", "--config", config], console))
            .WaitAsync(Bound);

        Assert.Equal(NodeSession.CoordinatorLostExitCode, code);
        Assert.Contains("node: no coordinator answered within 3 s (join-timeout)", console.Output.ReplaceLineEndings(" "));
        Assert.DoesNotContain("sweep complete", console.Output);
    }

    [Fact]
    public async Task A_node_rejoins_a_restarted_coordinator_by_itself_and_the_sweep_completes()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var port = FreePort();
        // The coordinator "crashes": its actor system ends without leaving the cluster.
        var coordinatorConfig = ConfigurationFactory.ParseString($"""
            akka.remote.dot-netty.tcp.port = {port}
            akka.cluster.split-brain-resolver.stable-after = 2s
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            """).WithFallback(SweepConfig.Cluster(Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "cluster.hocon"), ""));
        var nodeConfig = WriteConfig(fixture.Root, """
            steerability { heartbeat-interval = 200ms, retry-interval = 300ms, join-timeout = 60s }
            akka.cluster.split-brain-resolver.stable-after = 2s
            """);
        var console = new TestConsole();
        var coordinator = SweepHost.StartCoordinator(plan, coordinatorConfig, SweepFixture.Coordinator);
        Environment.SetEnvironmentVariable("STEER_SYNTHETIC_SECONDS", "0.4");
        try
        {
            var errors = new StringWriter();
            var node = Task.Run(() => SteerApp.Run(["node", "--seed", $"127.0.0.1:{port}", "--runner", "synthetic", "--config", nodeConfig], console, errors));
            var ct = new CancellationTokenSource(Bound).Token;
            while ((await coordinator.StatusAsync()).Done < 2)
            {
                await Task.Delay(50, ct);
            }
            await coordinator.System.Terminate();
            // The node notices (failure detector, then the split-brain resolver downs its side) before the restart.
            while (!console.Output.ReplaceLineEndings(" ").Contains("lost the coordinator"))
            {
                Assert.False(node.IsCompleted, $"the node ended instead of rejoining: {console.Output} {errors}");
                await Task.Delay(100, ct);
            }
            coordinator = await RestartAsync(() => SweepHost.StartCoordinator(plan, coordinatorConfig, SweepFixture.Coordinator), ct);

            SweepStatus? last = null;
            var final = await coordinator.WaitForCompletionAsync(status => last = status, TimeSpan.FromMilliseconds(100),
                new CancellationTokenSource(Bound).Token).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result
                    : throw new Xunit.Sdk.XunitException($"the sweep did not complete: {(last is null ? "no status" : Steerability.Coordinator.Cli.SweepProgress.Line(last, TimeSpan.Zero))}; {string.Join("; ", last?.RecentErrors ?? [])}; node: {console.Output}"));
            var code = await node.WaitAsync(Bound);

            Assert.True(final.Succeeded, string.Join("; ", final.RecentErrors));
            Assert.Equal(NodeSession.CompleteExitCode, code);
            var output = console.Output.ReplaceLineEndings(" ");
            Assert.Contains("lost the coordinator", output);
            Assert.Contains("node: sweep complete", output);
            SweepFixture.AssertExactlyOneResultPerTrial(plan);
        }
        finally
        {
            Environment.SetEnvironmentVariable("STEER_SYNTHETIC_SECONDS", null);
            await coordinator.System.Terminate();
        }
    }

    [Fact]
    public async Task A_node_cut_off_from_its_coordinator_exits_3_after_join_timeout_and_never_says_complete()
    {
        using var fixture = new SweepFixture();
        var plan = fixture.Plan();
        var port = FreePort();
        var coordinatorConfig = ConfigurationFactory.ParseString($"""
            akka.remote.dot-netty.tcp.port = {port}
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            """).WithFallback(SweepConfig.Cluster(Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "cluster.hocon"), ""));
        var nodeConfig = WriteConfig(fixture.Root, """
            steerability { heartbeat-interval = 200ms, retry-interval = 300ms, join-timeout = 3s }
            akka.cluster.split-brain-resolver.stable-after = 2s
            """);
        var console = new TestConsole();
        var coordinator = SweepHost.StartCoordinator(plan, coordinatorConfig, SweepFixture.Coordinator);
        Environment.SetEnvironmentVariable("STEER_SYNTHETIC_SECONDS", "0.4");
        try
        {
            var node = Task.Run(() => SteerApp.Run(["node", "--seed", $"127.0.0.1:{port}", "--runner", "synthetic", "--config", nodeConfig], console));
            var ct = new CancellationTokenSource(Bound).Token;
            while ((await coordinator.StatusAsync()).Done < 1)
            {
                await Task.Delay(50, ct);
            }
            await coordinator.System.Terminate(); // and it never comes back

            var code = await node.WaitAsync(Bound);

            Assert.Equal(NodeSession.CoordinatorLostExitCode, code);
            var output = console.Output.ReplaceLineEndings(" ");
            Assert.Contains("lost the coordinator", output);
            Assert.Contains("no coordinator answered within 3 s (join-timeout); gave up rejoining", output);
            Assert.DoesNotContain("sweep complete", output);
        }
        finally
        {
            Environment.SetEnvironmentVariable("STEER_SYNTHETIC_SECONDS", null);
            await coordinator.System.Terminate();
        }
    }

    [Theory]
    [InlineData("STEER_JOIN_TIMEOUT", "soon", "STEER_JOIN_TIMEOUT: 'soon' is not a duration")]
    [InlineData("STEER_STALL_TIMEOUT", "30d", "STEER_STALL_TIMEOUT: '30d' is out of range")]
    [InlineData("STEER_UNPLACEABLE_TIMEOUT", "0s", "STEER_UNPLACEABLE_TIMEOUT: '0s' is out of range")]
    [InlineData("STEER_LEDGER_RESTARTS", "many", "STEER_LEDGER_RESTARTS: 'many' is not a count")]
    public void A_bad_limit_variable_is_one_line_and_exit_2(string variable, string value, string expected)
    {
        using var fixture = new SweepFixture();
        var errors = new StringWriter();
        Environment.SetEnvironmentVariable(variable, value);
        try
        {
            var code = SteerApp.Run(["coordinator", fixture.SpecPath, "--out", fixture.OutDir, "--port", "0"], new TestConsole(), errors);

            Assert.Equal(SteerApp.InputErrorExitCode, code);
            Assert.Single(errors.ToString().TrimEnd().Split('\n'));
            Assert.StartsWith($"steer: {expected}", errors.ToString());
            Assert.False(Directory.Exists(fixture.OutDir));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Sigterm_stops_the_coordinator_with_one_line_as_sigint_does()
    {
        using var fixture = new SweepFixture();
        using var process = StartSteer(fixture.Root, "coordinator", fixture.SpecPath, "--out", fixture.OutDir, "--port", "0");
        try
        {
            await WaitForLineAsync(process, "coordinator for sweep");

            using (var kill = Process.Start("kill", $"-TERM {process.Id}"))
            {
                await kill.WaitForExitAsync();
            }
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

            Assert.Equal(SteerApp.StoppedExitCode, process.ExitCode);
            var errors = (await process.StandardError.ReadToEndAsync()).TrimEnd().Split('\n').Where(l => l.StartsWith("steer:")).ToList();
            Assert.Equal(["steer: stopped by a signal (SIGINT or SIGTERM); what was recorded is kept, run it again to resume"], errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void Binding_beyond_loopback_without_tls_is_refused_unless_insecure()
    {
        using var fixture = new SweepFixture();
        var errors = new StringWriter();

        var coordinator = SteerApp.Run(["coordinator", fixture.SpecPath, "--out", fixture.OutDir, "--hostname", "0.0.0.0", "--port", "0"], new TestConsole(), errors);
        var node = SteerApp.Run(["node", "--seed", "127.0.0.1:4053", "--hostname", "192.0.2.7"], new TestConsole(), errors);

        Assert.Equal(SteerApp.InputErrorExitCode, coordinator);
        Assert.Equal(SteerApp.InputErrorExitCode, node);
        var lines = errors.ToString().TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("steer: --hostname: '0.0.0.0' is reachable from other machines and TLS is off", lines[0]);
        Assert.StartsWith("steer: --hostname: '192.0.2.7' is reachable from other machines and TLS is off", lines[1]);
        Assert.False(Directory.Exists(fixture.OutDir));
    }

    internal static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The repository's cluster.hocon with <paramref name="overrides"/> after it (later settings win).</summary>
    private static string WriteConfig(string dir, string overrides)
    {
        var path = Path.Combine(dir, "cluster-test.hocon");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(Sweeps.SweepSpecParserTests.RepoRoot(), "cluster.hocon")) + "\n" + overrides + "\n");
        return path;
    }

    /// <summary>Starts the coordinator again on its port, which the crashed one may hold for a moment.</summary>
    private static async Task<SweepHost> RestartAsync(Func<SweepHost> start, CancellationToken ct)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return start();
            }
            catch (Exception) when (tries < 20)
            {
                await Task.Delay(500, ct);
            }
        }
    }

    private static Process StartSteer(string workDir, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(SteerApp).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info)!;
    }

    private static async Task WaitForLineAsync(Process process, string text)
    {
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;
        while (await process.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            if (line.Contains(text))
            {
                return;
            }
        }
        throw new InvalidOperationException($"the process ended without printing '{text}'");
    }
}
