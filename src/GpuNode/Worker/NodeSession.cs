using Akka.Actor;

namespace Steerability.GpuNode.Worker;

/// <summary>
/// The life of a `steer node`: join the coordinator, run trials until the sweep is complete, and when the cluster
/// removes this node (its coordinator died or was cut off; the split-brain resolver downs the side without it) start
/// a fresh member and join again, for `join-timeout` per try. Every way out is one line and an exit code.
/// </summary>
public static class NodeSession
{
    /// <summary>The sweep is complete: the coordinator said so.</summary>
    public const int CompleteExitCode = 0;

    /// <summary>The node could not join, or rejoin, its coordinator within `join-timeout`.</summary>
    public const int CoordinatorLostExitCode = 3;

    /// <summary>
    /// Runs members made by <paramref name="start"/> (each must terminate itself when not joined within
    /// <paramref name="joinTimeout"/>) until the sweep completes or no coordinator answers; says each step on
    /// <paramref name="say"/> and returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(Func<NodeHost> start, TimeSpan joinTimeout, Action<string> say, CancellationToken ct)
    {
        var rejoining = false;
        while (true)
        {
            var host = start();
            try
            {
                if (!rejoining)
                {
                    say($"node {host.Address} joining with {host.Workers.Count} worker(s)");
                }
                await Task.WhenAny(host.WorkersStoppedAsync(), host.System.WhenTerminated).WaitAsync(ct);
                // Workers also stop when the member shuts down: only a stop with the member still running is the
                // coordinator's "sweep complete".
                var reason = CoordinatedShutdown.Get(host.System).ShutdownReason;
                var removed = host.System.WhenTerminated.IsCompleted || reason is not null;
                if (!removed)
                {
                    say("node: sweep complete");
                    return CompleteExitCode;
                }
                if (reason is CoordinatedShutdown.ClusterJoinUnsuccessfulReason)
                {
                    say($"node: no coordinator answered within {joinTimeout.TotalSeconds:0.#} s (join-timeout); " +
                        (rejoining ? "gave up rejoining" : "check --seed"));
                    return CoordinatorLostExitCode;
                }
                say($"node: lost the coordinator (removed from the cluster); rejoining for up to {joinTimeout.TotalSeconds:0.#} s");
                rejoining = true;
            }
            finally
            {
                await host.System.Terminate().WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ContinueWith(_ => { });
            }
        }
    }
}
