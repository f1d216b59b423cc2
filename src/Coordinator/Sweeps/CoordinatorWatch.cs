using System.Diagnostics;

namespace Steerability.Coordinator.Sweeps;

/// <summary>The coordinator could not go on (its journal failed); published on the event stream for the command to end.</summary>
public sealed record CoordinatorFault(string Reason);

/// <summary>Asks the coordinator for <see cref="LeaseTimings"/> (the benchmark).</summary>
public sealed record GetLeaseTimings;

/// <summary>For every lease granted at once: from the worker's request arriving to the lease sent, its event journaled.</summary>
public sealed record LeaseTimings(IReadOnlyList<TimeSpan> RequestToLease);

/// <summary>
/// What the coordinator watches so that no wait is unbounded: which devices the connected workers have (a ready
/// trial none of them can run fails the sweep after `unplaceable-timeout`), when each lease last made progress (a
/// trial stuck longer than `stall-timeout` is failed and retried), and how long granting a lease takes.
/// </summary>
internal sealed class CoordinatorWatch(LivenessSettings settings)
{
    private const int MaxTimings = 1_000_000;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, string> _devices = new();
    private readonly Dictionary<string, (int Attempt, double Progress, TimeSpan Since)> _progress = new();
    private readonly List<TimeSpan> _requestToLease = new();
    private TimeSpan? _unplaceableSince;

    public TimeSpan Clock => _clock.Elapsed;

    public void WorkerSeen(string workerId, string device) => _devices[workerId] = device;

    public void WorkerGone(string workerId) => _devices.Remove(workerId);

    public void Leased(string key, int attempt) => _progress[key] = (attempt, 0, Clock);

    public void LeaseSent(TimeSpan asked)
    {
        if (_requestToLease.Count < MaxTimings)
        {
            _requestToLease.Add(Clock - asked);
        }
    }

    public LeaseTimings Timings() => new(_requestToLease.ToList());

    public void Progressed(string key, int attempt, double progress)
    {
        if (!_progress.TryGetValue(key, out var last) || last.Attempt != attempt || progress > last.Progress)
        {
            _progress[key] = (attempt, progress, Clock);
        }
    }

    /// <summary>Leases whose progress has not moved for `stall-timeout` (none when it is 0).</summary>
    public List<LedgerEntry> Stalled(IReadOnlyList<LedgerEntry> entries)
    {
        var stalled = new List<LedgerEntry>();
        if (settings.StallTimeout <= TimeSpan.Zero)
        {
            return stalled;
        }
        var now = Clock;
        foreach (var entry in entries)
        {
            if (entry.State != TrialState.Leased)
            {
                continue;
            }
            if (!_progress.TryGetValue(entry.Key, out var last) || last.Attempt != entry.Attempts)
            {
                // A lease recovered from the journal: its clock starts now.
                _progress[entry.Key] = (entry.Attempts, entry.Progress, now);
                continue;
            }
            if (now - last.Since >= settings.StallTimeout)
            {
                stalled.Add(entry);
                _progress.Remove(entry.Key);
            }
        }
        return stalled;
    }

    /// <summary>
    /// True once trials have been ready, with nothing running and no connected worker's device fitting any of them,
    /// for half of `unplaceable-timeout` (nodes may still be starting; at most 30 s); then <paramref name="why"/> says
    /// so, and <paramref name="giveUp"/> turns true once that has lasted the whole timeout.
    /// </summary>
    public bool Unplaceable(SweepLedger ledger, out string why, out bool giveUp)
    {
        why = "";
        giveUp = false;
        if (ledger.Count(TrialState.Leased) > 0)
        {
            _unplaceableSince = null;
            return false;
        }
        var ready = ledger.Ready.ToList();
        if (ready.Count == 0 || ready.Any(e => _devices.Values.Any(device => DevicePolicy.Fits(e.Spec.Device, device))))
        {
            _unplaceableSince = null;
            return false;
        }
        _unplaceableSince ??= Clock;
        var waited = Clock - _unplaceableSince.Value;
        if (waited < TimeSpan.FromTicks(Math.Min(settings.UnplaceableTimeout.Ticks / 2, TimeSpan.FromSeconds(30).Ticks)))
        {
            return false;
        }
        var needs = string.Join(", ", ready.Select(e => e.Spec.Device).Distinct().Order());
        var have = _devices.Count == 0 ? "none connected" : string.Join(", ", _devices.Values.Distinct().Order());
        giveUp = waited >= settings.UnplaceableTimeout;
        why = $"{ready.Count} ready trial(s) need device {needs} and no connected worker can run them (workers: {have}); " +
            (giveUp ? $"none joined within {settings.UnplaceableTimeout.TotalSeconds:0.#} s (unplaceable-timeout)"
                : $"the sweep fails if none joins within {settings.UnplaceableTimeout.TotalSeconds:0.#} s (unplaceable-timeout)");
        return true;
    }
}
