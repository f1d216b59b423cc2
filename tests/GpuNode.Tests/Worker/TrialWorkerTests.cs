using Steerability.GpuNode.Worker;
using Steerability.GpuNode.Contract;
using System.Collections.Concurrent;
using Akka.Actor;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.GpuNode.Tests.Worker;

/// <summary>
/// A worker against a scripted coordinator: when the acknowledgement of its result says the next lease follows, it
/// does not ask again (one request per trial, not two), and it still asks if that lease is lost.
/// </summary>
public sealed class TrialWorkerTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly ActorSystem _system = ActorSystem.Create("worker-test", "akka.loglevel = WARNING");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "steer-worker-" + Guid.NewGuid().ToString("N")[..8]);

    private static readonly TrialSpec[] Trials = Enumerable.Range(0, 3)
        .Select(seed => new WalkTrial { Model = "shapes", Transform = "zoom", Walk = "linear", Seed = seed, Steps = 1, Batch = 1 })
        .ToArray();

    [Fact]
    public async Task A_worker_told_that_its_next_lease_follows_does_not_ask_for_it()
    {
        var script = new Script(_root, sendFollowingLease: true);
        var coordinator = _system.ActorOf(Props.Create(() => new ScriptedCoordinator(script)));
        // A retry interval far longer than the test: any second request would be the worker asking, not retrying.
        _system.ActorOf(TrialWorker.Props(coordinator, new NoWorkTrialRunner(), "n", "cpu", new WorkerSettings(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5))));

        await script.Done.Task.WaitAsync(Wait);

        Assert.Equal(Trials.Length, script.Results.Count);
        // The first request and the one after the last result (no lease follows it); every other lease came unasked.
        Assert.Equal(2, script.Requests);
    }

    [Fact]
    public async Task A_worker_whose_following_lease_is_lost_asks_again_after_the_retry_interval()
    {
        var script = new Script(_root, sendFollowingLease: false);
        var coordinator = _system.ActorOf(Props.Create(() => new ScriptedCoordinator(script)));
        _system.ActorOf(TrialWorker.Props(coordinator, new NoWorkTrialRunner(), "n", "cpu", new WorkerSettings(TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(100))));

        await script.Done.Task.WaitAsync(Wait);

        Assert.Equal(Trials.Length, script.Results.Count);
        // The first request, one per lost lease at least (a slow reply may meet a second retry), and the last one.
        Assert.True(script.Requests >= Trials.Length + 1, $"{script.Requests} requests");
    }

    public void Dispose()
    {
        _system.Terminate().Wait(Wait);
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>What the scripted coordinator saw; it hands out <see cref="Trials"/> in order.</summary>
    private sealed class Script(string root, bool sendFollowingLease)
    {
        public string Root { get; } = root;
        public bool SendFollowingLease { get; } = sendFollowingLease;
        public int Requests;
        public int Next;
        public ConcurrentQueue<TrialFinished> Results { get; } = new();
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TrialLease LeaseFor(int index) => new(Trials[index].Key, 1, Trials[index].ToJson(), Path.Combine(Root, "sweep"),
            Path.Combine(Root, "artifacts"), null, 60, $"token{index}");
    }

    /// <summary>
    /// Leases on request; acknowledges each result saying the next lease follows and then sends it (or, scripted
    /// so, drops it as a lost message would be); a request while a lease is out repeats that lease, as the ledger does.
    /// </summary>
    private sealed class ScriptedCoordinator : ReceiveActor
    {
        public ScriptedCoordinator(Script script)
        {
            Receive<WorkRequest>(_ =>
            {
                Interlocked.Increment(ref script.Requests);
                if (script.Next >= Trials.Length)
                {
                    Sender.Tell(new SweepComplete(true, "done"));
                    script.Done.TrySetResult();
                    return;
                }
                Sender.Tell(script.LeaseFor(script.Next));
            });
            Receive<TrialFinished>(finished =>
            {
                script.Results.Enqueue(finished);
                script.Next++;
                var more = script.Next < Trials.Length;
                Sender.Tell(new TrialFinishedAck(finished.Key, finished.Attempt, LeaseFollows: more));
                if (more && script.SendFollowingLease)
                {
                    Sender.Tell(script.LeaseFor(script.Next));
                }
            });
        }
    }
}
