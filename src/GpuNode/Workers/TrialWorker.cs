using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Steerability.GpuNode.Protocol;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Workers;

/// <summary>Timings of a worker; tests shorten them, `cluster.hocon` documents the defaults.</summary>
/// <param name="HeartbeatInterval">How often a running trial renews its lease.</param>
/// <param name="RetryInterval">How often an unanswered work request or unacknowledged result is sent again.</param>
public sealed record WorkerSettings(TimeSpan HeartbeatInterval, TimeSpan RetryInterval)
{
    public static readonly WorkerSettings Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));
}

/// <summary>
/// Owns one device: asks the coordinator for a trial, runs it, heartbeats meanwhile, publishes the result files itself
/// and reports them (paths, rows, checksums) until acknowledged, then asks again. Stops when the sweep is complete.
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
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private TrialLease? _lease;
    private CancellationTokenSource? _cancel;
    private double _progress;
    private TrialFinished? _finished;

    public TrialWorker(IActorRef coordinator, ITrialRunner runner, string node, string device, WorkerSettings settings)
    {
        _coordinator = coordinator;
        _runner = runner;
        _node = node;
        _device = device;
        _settings = settings;
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public string WorkerId => $"{_node}/{_device}";

    public static Props Props(IActorRef coordinator, ITrialRunner runner, string node, string device, WorkerSettings settings) =>
        Akka.Actor.Props.Create(() => new TrialWorker(coordinator, runner, node, device, settings));

    protected override void PreStart() => AskForWork();

    protected override void PostStop() => _cancel?.Cancel();

    private void AskForWork()
    {
        _coordinator.Tell(new WorkRequest(WorkerId, _node, _device));
        // The request or its answer may be lost while the coordinator singleton moves: ask again until answered.
        Timers.StartPeriodicTimer(RetryTimer, Retry.Instance, _settings.RetryInterval);
    }

    private void Idle()
    {
        Receive<TrialLease>(StartTrial);
        Receive<NoWorkYet>(_ => { });
        Receive<Retry>(_ => _coordinator.Tell(new WorkRequest(WorkerId, _node, _device)));
        Receive<SweepComplete>(_ => Context.Stop(Self));
        Receive<TrialFinishedAck>(_ => { });
        Receive<LeaseRevoked>(_ => { });
    }

    private void Working()
    {
        Receive<Beat>(_ => _coordinator.Tell(new TrialHeartbeat(_lease!.Key, _lease.Attempt, WorkerId, Volatile.Read(ref _progress))));
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
                AskForWork();
            }
        });
        Receive<SweepComplete>(_ => Context.Stop(Self));
        Receive<TrialLease>(_ => { });
        Receive<NoWorkYet>(_ => { });
        Receive<LeaseRevoked>(_ => { });
        Receive<Beat>(_ => { });
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
        RunAsync(lease, ct).PipeTo(self, success: finished => new RunEnded(finished));
    }

    private async Task<TrialFinished> RunAsync(TrialLease lease, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var attemptDir = Path.Combine(SweepLayout.TrialWorkDir(lease.SweepDir, lease.Key),
            $"attempt-{lease.Attempt}-{Sanitize(WorkerId)}");
        string? staging = null;
        var store = new ArtifactStore(lease.ArtifactDir);
        try
        {
            var trial = TrialSpec.FromJson(lease.TrialJson);
            if (Directory.Exists(attemptDir))
            {
                Directory.Delete(attemptDir, recursive: true);
            }
            Directory.CreateDirectory(attemptDir);
            staging = trial.Kind == "generator" ? store.NewStaging(lease.Key) : attemptDir;
            var context = new TrialContext(attemptDir, staging, lease.GeneratorDir, _device,
                fraction => Volatile.Write(ref _progress, fraction));
            var outcome = await Task.Run(() => _runner.RunAsync(trial, context, ct), ct);
            var files = await TablePublisher.PublishAsync(lease.SweepDir, trial, attemptDir, ct);
            TrialFilesPublisher.Publish(lease.SweepDir, trial, attemptDir);
            if (trial.Kind == "generator")
            {
                store.Publish(lease.Key, staging);
            }
            var finished = new TrialFinished(lease.Key, lease.Attempt, WorkerId, _node, _device, true, "", files,
                watch.Elapsed.TotalSeconds, outcome.Throughput, outcome.ThroughputUnit);
            TablePublisher.WriteManifest(lease.SweepDir, finished);
            Directory.Delete(attemptDir, recursive: true);
            return finished;
        }
        catch (Exception e)
        {
            if (staging is not null && staging != attemptDir && Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
            var error = e is OperationCanceledException ? "cancelled" : $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
            return new TrialFinished(lease.Key, lease.Attempt, WorkerId, _node, _device, false, error, [],
                watch.Elapsed.TotalSeconds, 0, "");
        }
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

    private static string Sanitize(string text) => string.Concat(text.Select(c => char.IsLetterOrDigit(c) ? c : '-'));

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
