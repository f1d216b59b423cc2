using Steerability.GpuNode.Contract;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Sweeps;

public sealed class SweepLedgerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static TrialSpec Walk(string transform, string generatorKey = "") => new WalkTrial
    {
        Model = "shapes",
        Transform = transform,
        Walk = "linear",
        Steps = 1,
        Batch = 1,
        Alphas = [0, 1],
        GeneratorKey = generatorKey,
    };

    private static TrialSpec Generator() => new GeneratorTrial { Model = "shapes", Steps = 1, Batch = 1 };

    private static SweepLedger Ledger(IEnumerable<TrialSpec> trials, int retries = 1, bool failFast = false) =>
        new(trials, new LedgerOptions(retries, failFast, Timeout), T0);

    /// <summary>A success of the entry's given (default: current) attempt, with that lease's token and a well-placed file.</summary>
    private static TrialFinished Success(LedgerEntry entry, string worker = "n1/cpu", int? attempt = null) =>
        new(entry.Key, attempt ?? entry.Attempts, worker, "n1", "cpu", true, "",
            [new PublishedFile("alpha_metrics", SweepLayout.TableFilePath("alpha_metrics", entry.Spec), 2, "ab")], 1, 0, "",
            entry.IssuedToken(attempt ?? entry.Attempts) ?? "", "walk");

    private static TrialFinished Failure(LedgerEntry entry, int attempt, string worker = "n1/cpu") =>
        new(entry.Key, attempt, worker, "n1", "cpu", false, "boom", [], 1, 0, "", entry.IssuedToken(attempt) ?? "", "walk");

    [Fact]
    public void A_lease_goes_to_one_worker_and_a_repeated_request_gets_the_same_lease()
    {
        var ledger = Ledger([Walk("zoom"), Walk("shiftx")]);

        var first = ledger.TryLease("a/cpu", "a", "cpu", T0);
        var again = ledger.TryLease("a/cpu", "a", "cpu", T0);
        var other = ledger.TryLease("b/cpu", "b", "cpu", T0);

        Assert.Equal(first.Entry!.Key, again.Entry!.Key);
        Assert.Null(again.Lease);
        Assert.DoesNotContain(again.Events, e => e is not LeaseRenewed);
        Assert.NotEqual(first.Entry.Key, other.Entry!.Key);
        Assert.False(ledger.TryLease("c/cpu", "c", "cpu", T0).Granted);
    }

    [Fact]
    public void Heartbeats_renew_the_deadline_and_a_silent_lease_expires_into_a_retry()
    {
        var ledger = Ledger([Walk("zoom")]);
        var lease = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;

        Assert.True(ledger.Heartbeat(lease.Key, 1, lease.Token, 0.5, T0 + TimeSpan.FromSeconds(8)));
        Assert.Empty(ledger.ExpireLeases(T0 + TimeSpan.FromSeconds(15)));
        var expired = ledger.ExpireLeases(T0 + TimeSpan.FromSeconds(19));

        var failed = Assert.IsType<TrialAttemptFailed>(Assert.Single(expired));
        Assert.False(failed.Final);
        Assert.Contains("lease expired", failed.Error);
        Assert.Equal(TrialState.Pending, lease.State);
        Assert.Equal(2, ledger.TryLease("b/cpu", "b", "cpu", T0 + TimeSpan.FromSeconds(20)).Entry!.Attempts);
    }

    [Fact]
    public void Retries_stop_at_max_retries_and_the_trial_fails_for_good()
    {
        var ledger = Ledger([Walk("zoom")], retries: 1);

        var entry = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;
        Assert.Equal(CompletionOutcome.Failed, ledger.Complete(Failure(entry, 1), T0).Outcome);
        Assert.Equal(TrialState.Pending, entry.State);
        ledger.TryLease("a/cpu", "a", "cpu", T0);
        ledger.Complete(Failure(entry, 2), T0);

        Assert.Equal(TrialState.Failed, entry.State);
        Assert.Equal(2, entry.Attempts);
        Assert.True(ledger.IsFinished);
        Assert.False(ledger.Succeeded);
    }

    [Fact]
    public void Keep_going_runs_the_rest_after_a_failure_and_fail_fast_stops_leasing()
    {
        foreach (var failFast in new[] { false, true })
        {
            var ledger = Ledger([Walk("zoom"), Walk("shiftx"), Walk("shifty")], retries: 0, failFast: failFast);
            var running = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;
            var doomed = ledger.TryLease("b/cpu", "b", "cpu", T0).Entry!;

            ledger.Complete(Failure(doomed, 1, "b/cpu"), T0);
            var next = ledger.TryLease("b/cpu", "b", "cpu", T0);

            Assert.Equal(!failFast, next.Granted);
            Assert.Equal(failFast, ledger.IsAborted);
            // The trial that was running when the sweep stopped still finishes and is recorded.
            Assert.Equal(CompletionOutcome.Accepted, ledger.Complete(Success(running, "a/cpu"), T0).Outcome);
            if (failFast)
            {
                Assert.True(ledger.IsFinished);
                Assert.Contains(doomed.Key, ledger.AbortReason);
            }
        }
    }

    [Fact]
    public void A_late_result_from_a_worker_presumed_dead_is_accepted_once_and_never_counted_twice()
    {
        var ledger = Ledger([Walk("zoom")]);
        var entry = ledger.TryLease("slow/cpu", "slow", "cpu", T0).Entry!;
        ledger.ExpireLeases(T0 + TimeSpan.FromSeconds(11));
        ledger.TryLease("fast/cpu", "fast", "cpu", T0 + TimeSpan.FromSeconds(12));
        Assert.Equal(2, entry.Attempts);

        var late = ledger.Complete(Success(entry, "slow/cpu", attempt: 1), T0 + TimeSpan.FromSeconds(13));
        var second = ledger.Complete(Success(entry, "fast/cpu", attempt: 2), T0 + TimeSpan.FromSeconds(14));

        Assert.Equal(CompletionOutcome.Accepted, late.Outcome);
        Assert.Equal("late", Assert.IsType<TrialSucceeded>(Assert.Single(late.Events)).How);
        Assert.Equal(CompletionOutcome.Duplicate, second.Outcome);
        Assert.Empty(second.Events);
        Assert.Equal(1, ledger.Count(TrialState.Done));
        // The worker still running the second lease is told to stop.
        Assert.False(ledger.Heartbeat(entry.Key, 2, entry.IssuedToken(2)!, 0.5, T0 + TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void A_failure_from_a_stale_lease_is_ignored()
    {
        var ledger = Ledger([Walk("zoom")]);
        var entry = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;
        ledger.ExpireLeases(T0 + TimeSpan.FromSeconds(11));
        ledger.TryLease("b/cpu", "b", "cpu", T0 + TimeSpan.FromSeconds(11));

        var outcome = ledger.Complete(Failure(entry, 1, "a/cpu"), T0 + TimeSpan.FromSeconds(12));

        Assert.Equal(CompletionOutcome.Stale, outcome.Outcome);
        Assert.Equal(TrialState.Leased, entry.State);
        Assert.Equal("b/cpu", entry.WorkerId);
    }

    [Fact]
    public void A_walk_waits_for_its_generator_and_is_blocked_when_the_generator_fails()
    {
        var generator = Generator();
        var ledger = Ledger([generator, Walk("zoom", generator.Key)], retries: 0);

        var first = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;
        Assert.Equal(generator.Key, first.Key);
        var none = ledger.TryLease("b/cpu", "b", "cpu", T0);
        Assert.False(none.Granted);
        Assert.Contains("wait for their generators", none.WhyNone);

        var events = ledger.Complete(Failure(first, 1, "a/cpu"), T0).Events;

        Assert.Contains(events, e => e is TrialBlocked);
        Assert.True(ledger.IsFinished);
        Assert.Equal(2, ledger.Count(TrialState.Failed));
    }

    [Fact]
    public void The_per_state_counts_follow_every_change_live_and_on_replay()
    {
        var generator = Generator();
        var ledger = Ledger([generator, Walk("zoom", generator.Key), Walk("shiftx", generator.Key)], retries: 1);
        var journal = new List<ILedgerEvent>();
        void Step(IEnumerable<ILedgerEvent> events)
        {
            journal.AddRange(events);
            AssertCountsMatchStates(ledger);
        }

        AssertCountsMatchStates(ledger);
        var lease = ledger.TryLease("a/cpu", "a", "cpu", T0);
        Step(lease.Events);
        Assert.Equal(1, ledger.Count(TrialState.Leased));
        Step(ledger.Complete(Failure(lease.Entry!, 1, "a/cpu"), T0).Events);
        Assert.Equal(3, ledger.Count(TrialState.Pending));
        lease = ledger.TryLease("a/cpu", "a", "cpu", T0);
        Step(lease.Events);
        Step(ledger.Complete(Success(lease.Entry!, "a/cpu"), T0).Events);
        Assert.Equal(1, ledger.Count(TrialState.Done));
        var zoom = ledger.TryLease("a/cpu", "a", "cpu", T0);
        Step(zoom.Events);
        Step(ledger.TryLease("b/cpu", "b", "cpu", T0).Events);
        Step(ledger.ExpireLeases(T0 + Timeout * 2));
        Assert.Equal(2, ledger.Count(TrialState.Pending));
        Step(ledger.TryLease("a/cpu", "a", "cpu", T0).Events);
        Step(ledger.WorkerLost("a/cpu", "gone", T0));
        Assert.Equal(1, ledger.Count(TrialState.Failed));
        Assert.False(ledger.IsFinished);
        Step(ledger.TryLease("b/cpu", "b", "cpu", T0).Events);
        Step(ledger.Complete(Success(ledger.Entries.Single(e => e.State == TrialState.Leased), "b/cpu"), T0).Events);
        Assert.True(ledger.IsFinished);
        Assert.False(ledger.Succeeded);
        // The generator's checkpoint is gone: it and its walks are pending again.
        Step(ledger.Reconcile(_ => null, _ => false, T0));
        Assert.Equal(3, ledger.Count(TrialState.Pending));

        var replayed = Ledger([generator, Walk("zoom", generator.Key), Walk("shiftx", generator.Key)], retries: 1);
        foreach (var e in journal)
        {
            replayed.Apply(e, T0);
        }
        AssertCountsMatchStates(replayed);
        Assert.Equal(ledger.Entries.Select(e => e.State), replayed.Entries.Select(e => e.State));
    }

    private static void AssertCountsMatchStates(SweepLedger ledger)
    {
        foreach (var state in Enum.GetValues<TrialState>())
        {
            Assert.Equal(ledger.Entries.Count(e => e.State == state), ledger.Count(state));
        }
        Assert.Equal(ledger.Entries.All(e => e.State is TrialState.Done or TrialState.Failed), ledger.IsFinished);
        Assert.Equal(ledger.Entries.All(e => e.State == TrialState.Done), ledger.Succeeded);
    }

    [Fact]
    public void A_finished_generator_makes_its_walks_ready()
    {
        var generator = Generator();
        var ledger = Ledger([generator, Walk("zoom", generator.Key)]);
        var entry = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;

        ledger.Complete(Success(entry, "a/cpu"), T0);

        Assert.Equal("zoom", ledger.TryLease("b/cpu", "b", "cpu", T0).Entry!.Spec.Transform);
    }

    [Fact]
    public void Device_policy_keeps_cuda_trials_off_cpu_workers()
    {
        var ledger = Ledger([Walk("zoom") with { Device = "cuda" }, Walk("shiftx") with { Device = "cpu" }]);

        Assert.Equal("shiftx", ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!.Spec.Transform);
        Assert.False(ledger.TryLease("b/cpu", "b", "cpu", T0).Granted);
        Assert.Equal("zoom", ledger.TryLease("g/cuda:0", "g", "cuda:0", T0).Entry!.Spec.Transform);
    }

    [Fact]
    public void A_lost_worker_frees_its_lease_at_once()
    {
        var ledger = Ledger([Walk("zoom")]);
        var entry = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;

        var events = ledger.WorkerLost("a/cpu", "node left", T0);

        Assert.Contains("node left", Assert.IsType<TrialAttemptFailed>(Assert.Single(events)).Error);
        Assert.Equal(TrialState.Pending, entry.State);
    }

    [Fact]
    public void Replaying_the_events_rebuilds_the_same_state()
    {
        var generator = Generator();
        var trials = new[] { generator, Walk("zoom", generator.Key), Walk("shiftx", generator.Key) };
        var live = Ledger(trials);
        var journal = new List<ILedgerEvent>();
        var g = live.TryLease("a/cpu", "a", "cpu", T0);
        journal.AddRange(g.Events);
        journal.AddRange(live.Complete(Success(g.Entry!, "a/cpu"), T0).Events);
        var w = live.TryLease("a/cpu", "a", "cpu", T0);
        journal.AddRange(w.Events);
        journal.AddRange(live.TryLease("b/cpu", "b", "cpu", T0).Events);
        journal.AddRange(live.Complete(Failure(w.Entry!, 1, "a/cpu"), T0).Events);

        var replayed = Ledger(trials);
        foreach (var e in journal)
        {
            replayed.Apply(e, T0);
        }
        replayed.Recovered(T0);

        Assert.Equal(live.Entries.Select(e => (e.Key, e.State, e.Attempts)), replayed.Entries.Select(e => (e.Key, e.State, e.Attempts)));
        // The worker holding a lease before the restart gets the same lease back, not a second trial.
        Assert.Equal(live.TryLease("b/cpu", "b", "cpu", T0).Entry!.Key, replayed.TryLease("b/cpu", "b", "cpu", T0).Entry!.Key);
    }

    [Fact]
    public void Reconciling_with_the_files_resets_lost_results_and_adopts_results_found_on_disk()
    {
        var ledger = Ledger([Walk("zoom"), Walk("shiftx")]);
        var done = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;
        ledger.Complete(Success(done, "a/cpu"), T0);
        // The other trial's worker published its result, but the coordinator stopped before recording it.
        var other = ledger.TryLease("b/cpu", "b", "cpu", T0).Entry!;

        var events = ledger.Reconcile(
            key => key == other.Key ? Success(other, attempt: 1) : null,
            file => !file.Path.EndsWith(done.Key + ".parquet", StringComparison.Ordinal),
            T0);

        Assert.Equal(2, events.Count);
        Assert.Equal(TrialState.Pending, done.State);
        Assert.Equal(TrialState.Done, other.State);
        Assert.Equal("found on disk", other.How);
    }

    [Fact]
    public void Lease_latency_is_measured_from_when_the_trial_became_ready()
    {
        var ledger = Ledger([Walk("zoom")]);

        var lease = ledger.TryLease("a/cpu", "a", "cpu", T0 + TimeSpan.FromMilliseconds(30));

        Assert.Equal(TimeSpan.FromMilliseconds(30), lease.Waited);
    }

    [Fact]
    public void Deciding_changes_nothing_until_the_events_are_applied()
    {
        var generator = Generator();
        var ledger = Ledger([generator, Walk("zoom", generator.Key)]);

        var first = ledger.DecideLease("a/cpu", "a", "cpu", T0);
        var second = ledger.DecideLease("b/cpu", "b", "cpu", T0);

        Assert.Equal(first.Entry!.Key, second.Entry!.Key);
        Assert.Equal(TrialState.Pending, first.Entry.State);
        Assert.Equal(0, first.Entry.Attempts);
        ledger.Apply(first.Lease!, T0);
        Assert.Equal(TrialState.Leased, first.Entry.State);
        Assert.Equal(first.Lease!.Token, first.Entry.Token);

        var result = ledger.DecideResult(Success(first.Entry, "a/cpu"));
        Assert.Equal(CompletionOutcome.Accepted, result.Outcome);
        Assert.Equal(TrialState.Leased, first.Entry.State);
        Assert.Empty(ledger.DecideExpiries(T0 + Timeout / 2));
        Assert.Single(ledger.DecideExpiries(T0 + Timeout * 2));
        Assert.Equal(TrialState.Leased, first.Entry.State);
        Assert.False(ledger.DecideLease("b/cpu", "b", "cpu", T0).Granted);
        foreach (var e in result.Events)
        {
            ledger.Apply(e, T0);
        }
        Assert.Equal(TrialState.Done, first.Entry.State);
        Assert.Equal("zoom", ledger.DecideLease("b/cpu", "b", "cpu", T0).Entry!.Spec.Transform);
    }

    [Fact]
    public void Leases_decided_together_go_to_different_trials()
    {
        var ledger = Ledger([Walk("zoom"), Walk("shiftx")]);

        var decisions = ledger.DecideLeases([("a/cpu", "a", "cpu"), ("b/cpu", "b", "cpu"), ("c/cpu", "c", "cpu")], T0);

        Assert.Equal(2, decisions.Select(d => d.Lease?.Key).OfType<string>().Distinct().Count());
        Assert.False(decisions[2].Granted);
    }

    [Fact]
    public void The_next_lease_is_decided_with_the_result_for_a_ready_trial_only()
    {
        var generator = Generator();
        var ledger = Ledger([generator, Walk("zoom", generator.Key), Walk("shiftx")]);
        var g = ledger.TryLease("a/cpu", "a", "cpu", T0).Entry!;
        var finished = Success(g, "a/cpu");
        var result = ledger.DecideResult(finished);

        var next = ledger.DecideNextLease(finished, result, T0);

        // shiftx is ready now; zoom only once the generator's result is applied.
        Assert.Equal("shiftx", next.Entry!.Spec.Transform);
        Assert.Equal("a/cpu", next.Lease!.WorkerId);
        Assert.False(ledger.DecideNextLease(finished, ledger.DecideResult(finished with { Token = "forged" }), T0).Granted);
        foreach (var e in result.Events.Concat(next.Events))
        {
            ledger.Apply(e, T0);
        }
        Assert.Equal(TrialState.Done, g.State);
        Assert.Equal(TrialState.Leased, next.Entry.State);
        Assert.Equal("zoom", ledger.TryLease("b/cpu", "b", "cpu", T0).Entry!.Spec.Transform);
    }

    [Fact]
    public void A_reset_trial_is_neither_leased_nor_takes_a_result_until_its_files_are_removed_and_a_replay_keeps_that()
    {
        var ledger = Ledger([Walk("zoom")]);
        var lease = ledger.TryLease("a/cpu", "a", "cpu", T0);
        var entry = lease.Entry!;
        var journal = new List<ILedgerEvent>(lease.Events);
        journal.AddRange(ledger.Complete(Success(entry, "a/cpu"), T0).Events);
        var reset = Assert.IsType<TrialReset>(Assert.Single(ledger.DecideReconcile(_ => null, _ => false)));
        ledger.Apply(reset, T0);
        journal.Add(reset);

        Assert.NotNull(entry.FilesToRemove);
        Assert.False(ledger.DecideLease("b/cpu", "b", "cpu", T0).Granted);
        Assert.Equal(CompletionOutcome.Stale, ledger.DecideResult(Success(entry, "a/cpu", attempt: 1)).Outcome);
        // The coordinator crashed before removing the files: a replay still knows they are to be removed.
        var replayed = Ledger([Walk("zoom")]);
        foreach (var e in journal)
        {
            replayed.Apply(e, T0);
        }
        Assert.Equal(reset.Files, replayed.Entries.Single().FilesToRemove);
        Assert.False(replayed.DecideLease("b/cpu", "b", "cpu", T0).Granted);

        ledger.Apply(new TrialFilesRemoved(entry.Key), T0);
        Assert.Null(entry.FilesToRemove);
        Assert.Equal(2, ledger.TryLease("b/cpu", "b", "cpu", T0).Entry!.Attempts);
    }
}
