using Steerability.GpuNode.Contract;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Tests.Sweeps;

/// <summary>
/// The ledger driven as the coordinator drives it, without the journal: each step asks for a decision, applies the
/// events it returns, and hands back the decision, so the specifications read as a sequence of things that happen.
/// </summary>
internal static class LedgerSteps
{
    public static LeaseDecision TryLease(this SweepLedger ledger, string workerId, string node, string device, DateTimeOffset now) =>
        Applied(ledger, ledger.DecideLease(workerId, node, device, now), d => d.Events, now);

    public static CompletionDecision Complete(this SweepLedger ledger, TrialFinished finished, DateTimeOffset now,
        Func<PublishedFile, bool>? present = null) =>
        Applied(ledger, ledger.DecideResult(finished, present), d => d.Events, now);

    public static bool Heartbeat(this SweepLedger ledger, string key, int attempt, string token, double progress, DateTimeOffset now)
    {
        var renewal = ledger.DecideHeartbeat(key, attempt, token, progress);
        if (renewal is not null)
        {
            ledger.Apply(renewal, now);
        }
        return renewal is not null;
    }

    public static IReadOnlyList<ILedgerEvent> ExpireLeases(this SweepLedger ledger, DateTimeOffset now) =>
        Applied(ledger, ledger.DecideExpiries(now), d => d, now);

    public static IReadOnlyList<ILedgerEvent> WorkerLost(this SweepLedger ledger, string workerId, string reason, DateTimeOffset now) =>
        Applied(ledger, ledger.DecideWorkerLost(workerId, reason), d => d, now);

    public static void Recovered(this SweepLedger ledger, DateTimeOffset now) =>
        Applied(ledger, ledger.DecideRecovery(), d => d, now);

    /// <summary>Reconciles with the files and, as the coordinator does once it has removed a reset trial's files, records that.</summary>
    public static IReadOnlyList<ILedgerEvent> Reconcile(this SweepLedger ledger, Func<string, TrialFinished?> manifest,
        Func<PublishedFile, bool> intact, DateTimeOffset now)
    {
        var events = Applied(ledger, ledger.DecideReconcile(manifest, intact), d => d, now);
        foreach (var reset in events.OfType<TrialReset>())
        {
            ledger.Apply(new TrialFilesRemoved(reset.Key), now);
        }
        return events;
    }

    private static T Applied<T>(SweepLedger ledger, T decision, Func<T, IEnumerable<ILedgerEvent>> events, DateTimeOffset now)
    {
        foreach (var e in events(decision).ToList())
        {
            ledger.Apply(e, now);
        }
        return decision;
    }
}
