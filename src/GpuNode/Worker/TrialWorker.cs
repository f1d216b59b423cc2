using Steerability.GpuNode.Contract;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Worker;

/// <summary>Timings of a worker; tests shorten them, `cluster.hocon` documents the defaults.</summary>
/// <param name="HeartbeatInterval">How often a running trial renews its lease.</param>
/// <param name="RetryInterval">How often an unanswered work request or unacknowledged result is sent again.</param>
public sealed record WorkerSettings(TimeSpan HeartbeatInterval, TimeSpan RetryInterval)
{
    /// <summary>The built-in cluster.hocon's values.</summary>
    public static readonly WorkerSettings Default = new(
        ClusterDefaults.Steerability.GetTimeSpan("heartbeat-interval", null, allowInfinite: false),
        ClusterDefaults.Steerability.GetTimeSpan("retry-interval", null, allowInfinite: false));
}

/// <summary>
/// Owns one device: asks the coordinator for a trial, runs it (<see cref="TrialAttempt"/> does the work and publishes
/// the files), heartbeats meanwhile with the lease's token, and reports the result (paths, rows, checksums) until
/// acknowledged, then asks again. Stops when the sweep is complete, or when the coordinator refuses it.
/// </summary>
public sealed class TrialWorker : ReceiveActor, IWithTimers
{
    private const string RetryTimer = "retry";
    private const string HeartbeatTimer = "heartbeat";

    private readonly IActorRef _coordinator;
    private readonly ITrialRunner _runner;
    private readonly string _node;
    private readonly string _device;
    private readonly WorkerSettings _settings;
    private readonly Action<string>? _onRefused;
    private readonly TrialAttempt _attempt;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private TrialLease? _lease;
    private CancellationTokenSource? _cancel;
    private Task? _running;
    private double _progress;
    private TrialFinished? _finished;

    public TrialWorker(IActorRef coordinator, ITrialRunner runner, string node, string device, WorkerSettings settings,
        Action<string>? onRefused = null)
    {
        _coordinator = coordinator;
        _runner = runner;
        _node = node;
        _device = device;
        _settings = settings;
        _onRefused = onRefused;
        WorkerId = NewWorkerId(node, device);
        _attempt = new TrialAttempt(runner, WorkerId, node, device);
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public string WorkerId { get; }

    /// <summary>
    /// `NODE/DEVICE/NONCE` with a fresh random nonce per start: a node restarted on the same host and port is a new
    /// worker, so the coordinator never hands it the lease its killed predecessor held as if it were the same attempt.
    /// </summary>
    public static string NewWorkerId(string node, string device) =>
        $"{node}/{device}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <param name="onRefused">Called with the reason when the coordinator refuses this worker (then it stops).</param>
    public static Props Props(IActorRef coordinator, ITrialRunner runner, string node, string device, WorkerSettings settings,
        Action<string>? onRefused = null) =>
        Akka.Actor.Props.Create(() => new TrialWorker(coordinator, runner, node, device, settings, onRefused));

    protected override void PreStart() => AskForWork();

    /// <summary>
    /// A stopping worker (SIGTERM, the sweep ending) cancels its trial and waits, bounded, until the trial's thread has
    /// left native code: a process exiting under a running libtorch step crashes instead of exiting with its code.
    /// </summary>
    protected override void PostStop()
    {
        _cancel?.Cancel();
        _running?.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(20));
    }

    private void AskForWork()
    {
        _coordinator.Tell(Request);
        // The request or its answer may be lost while the coordinator singleton moves: ask again until answered.
        Timers.StartPeriodicTimer(RetryTimer, Retry.Instance, _settings.RetryInterval);
    }

    private WorkRequest Request => new(WorkerId, _node, _device, _runner.Name);

    private void Refused(WorkRefused refused)
    {
        _log.Info("{0}: refused by the coordinator: {1}", WorkerId, refused.Reason);
        _onRefused?.Invoke(refused.Reason);
        Context.Stop(Self);
    }

    private void Idle()
    {
        Receive<WorkRefused>(Refused);
        Receive<TrialLease>(StartTrial);
        Receive<NoWorkYet>(_ => { });
        Receive<Retry>(_ => _coordinator.Tell(Request));
        Receive<SweepComplete>(_ => Context.Stop(Self));
        Receive<TrialFinishedAck>(_ => { });
        Receive<LeaseRevoked>(_ => { });
    }

    private void Working()
    {
        Receive<Beat>(_ => _coordinator.Tell(new TrialHeartbeat(_lease!.Key, _lease.Attempt, WorkerId, Volatile.Read(ref _progress), _lease.Token)));
        Receive<WorkRefused>(_ => { });
        Receive<LeaseRevoked>(revoked =>
        {
            if (revoked.Key == _lease!.Key && revoked.Attempt == _lease.Attempt)
            {
                _log.Info("{0}: lease {1}#{2} revoked ({3}); stopping it", WorkerId, revoked.Key, revoked.Attempt, revoked.Reason);
                _cancel?.Cancel();
            }
        });
        Receive<RunEnded>(ended => Report(ended.Finished));
        Receive<SweepComplete>(_ => Context.Stop(Self));
        Receive<TrialLease>(_ => { }); // a repeated answer to an earlier request: this worker is busy with it already
        Receive<NoWorkYet>(_ => { });
        Receive<Retry>(_ => { });
        Receive<TrialFinishedAck>(_ => { });
    }

    private void Reporting()
    {
        Receive<Retry>(_ => _coordinator.Tell(_finished!));
        Receive<TrialFinishedAck>(ack =>
        {
            if (ack.Key == _finished!.Key && ack.Attempt == _finished.Attempt)
            {
                _finished = null;
                Become(Idle);
                if (ack.LeaseFollows)
                {
                    // The next lease is on its way (sent after this ack, so it arrives after it): a request now would
                    // only make the coordinator send it twice. Ask only if it does not come within the retry interval.
                    Timers.StartPeriodicTimer(RetryTimer, Retry.Instance, _settings.RetryInterval);
                }
                else
                {
                    AskForWork();
                }
            }
        });
        Receive<SweepComplete>(_ => Context.Stop(Self));
        Receive<TrialLease>(_ => { });
        Receive<NoWorkYet>(_ => { });
        Receive<LeaseRevoked>(_ => { });
        Receive<Beat>(_ => { });
        Receive<WorkRefused>(_ => { });
    }

    private void StartTrial(TrialLease lease)
    {
        Timers.Cancel(RetryTimer);
        _lease = lease;
        _progress = 0;
        _cancel = new CancellationTokenSource();
        Become(Working);
        Timers.StartPeriodicTimer(HeartbeatTimer, Beat.Instance, _settings.HeartbeatInterval);
        var self = Self;
        var ct = _cancel.Token;
        var running = _attempt.RunAsync(lease, fraction => Volatile.Write(ref _progress, fraction), ct);
        _running = running;
        running.PipeTo(self, success: finished => new RunEnded(finished));
    }

    private void Report(TrialFinished finished)
    {
        Timers.Cancel(HeartbeatTimer);
        _cancel?.Dispose();
        _cancel = null;
        _lease = null;
        _finished = finished;
        Become(Reporting);
        _coordinator.Tell(finished);
        Timers.StartPeriodicTimer(RetryTimer, Retry.Instance, _settings.RetryInterval);
    }

    private sealed class Retry
    {
        public static readonly Retry Instance = new();
    }

    private sealed class Beat
    {
        public static readonly Beat Instance = new();
    }

    private sealed record RunEnded(TrialFinished Finished);
}
