using Steerability.GpuNode.Contract;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Sweeps;

/// <summary>
/// Fencing, runners and re-verification in the ledger: results count only with a token the ledger issued for that
/// trial, from the sweep's runner, at the trial's own paths; a resume redoes what is missing, changed or foreign.
/// </summary>
public sealed class LedgerFencingTests
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

    private static SweepLedger Ledger(IEnumerable<TrialSpec> trials, string runner = "walk", int retries = 1) =>
        new(trials, new LedgerOptions(retries, false, Timeout, runner), T0);

    private static PublishedFile TableFile(TrialSpec trial) =>
        new("alpha_metrics", SweepLayout.TableFilePath("alpha_metrics", trial), 2, "ab");

    private static TrialFinished Success(LedgerEntry entry, int attempt, string runner = "walk", PublishedFile[]? files = null) =>
        new(entry.Key, attempt, "w", "n", "cpu", true, "", files ?? Files(entry.Spec), 1, 0, "",
            entry.IssuedToken(attempt) ?? "", runner);

    private static PublishedFile[] Files(TrialSpec trial) => trial.Kind == "generator"
        ? [new PublishedFile(PublishedFile.ArtifactTable, $"{trial.Key}/generator.safetensors", 0, "cd")]
        : [TableFile(trial)];

    [Fact]
    public void Each_lease_gets_its_own_unguessable_token()
    {
        var ledger = Ledger([Walk("zoom")]);
        var entry = ledger.TryLease("a", "n", "cpu", T0).Entry!;
        var first = entry.Token;
        ledger.ExpireLeases(T0 + Timeout * 2);
        ledger.TryLease("b", "n", "cpu", T0 + Timeout * 2);

        Assert.Equal(32, first.Length);
        Assert.NotEqual(first, entry.Token);
        Assert.Equal(first, entry.IssuedToken(1));
        Assert.Equal(entry.Token, entry.IssuedToken(2));
    }

    [Fact]
    public void A_result_or_heartbeat_with_a_forged_token_is_refused()
    {
        var ledger = Ledger([Walk("zoom"), Walk("shiftx")]);
        var entry = ledger.TryLease("a", "n", "cpu", T0).Entry!;
        var other = ledger.TryLease("b", "n", "cpu", T0).Entry!;

        var forged = ledger.Complete(Success(entry, 1) with { Token = "0123456789abcdef0123456789abcdef" }, T0);
        var noToken = ledger.Complete(Success(entry, 1) with { Token = "" }, T0);
        var borrowed = ledger.Complete(Success(entry, 1) with { Token = other.Token }, T0);
        var unleasedAttempt = ledger.Complete(Success(entry, 2) with { Token = entry.Token }, T0);
        var forgedFailure = ledger.Complete(Success(entry, 1) with { Succeeded = false, Token = "x" }, T0);

        Assert.All([forged, noToken, borrowed, unleasedAttempt, forgedFailure], d =>
        {
            Assert.Equal(CompletionOutcome.Refused, d.Outcome);
            Assert.Empty(d.Events);
        });
        Assert.Contains("was not issued", forged.Why);
        Assert.False(ledger.Heartbeat(entry.Key, 1, "forged", 0.5, T0));
        Assert.False(ledger.Heartbeat(entry.Key, 1, other.Token, 0.5, T0));
        Assert.True(ledger.Heartbeat(entry.Key, 1, entry.Token, 0.5, T0));
        Assert.Equal(TrialState.Leased, entry.State);
        Assert.Equal(CompletionOutcome.Accepted, ledger.Complete(Success(entry, 1), T0).Outcome);
    }

    [Fact]
    public void A_lease_journaled_without_a_token_takes_no_result_and_an_empty_file_list_entry_is_refused()
    {
        var trial = Walk("zoom");
        var ledger = Ledger([trial]);
        ledger.Apply(new TrialLeased(trial.Key, 1, "a", "n", "cpu"), T0);
        var entry = ledger.Entries.Single();

        Assert.Equal(CompletionOutcome.Refused, ledger.Complete(Success(entry, 1) with { Token = "" }, T0).Outcome);
        Assert.False(ledger.Heartbeat(trial.Key, 1, "", 0.5, T0));

        var fresh = Ledger([trial]);
        var leased = fresh.TryLease("a", "n", "cpu", T0).Entry!;
        var empty = fresh.Complete(Success(leased, 1) with { Files = [null!] }, T0, present: _ => true);
        Assert.Equal(CompletionOutcome.Refused, empty.Outcome);
        Assert.Equal(CompletionOutcome.Accepted, fresh.Complete(Success(leased, 1) with { Files = null! }, T0, present: _ => true).Outcome);
    }

    [Fact]
    public void A_late_success_of_an_earlier_attempt_is_taken_once_and_only_while_the_trial_is_not_done()
    {
        var ledger = Ledger([Walk("zoom")]);
        var entry = ledger.TryLease("a", "n", "cpu", T0).Entry!;
        ledger.ExpireLeases(T0 + Timeout * 2);
        ledger.TryLease("b", "n", "cpu", T0 + Timeout * 2);

        var late = ledger.Complete(Success(entry, 1), T0 + Timeout * 2);
        var again = ledger.Complete(Success(entry, 1), T0 + Timeout * 2);
        var current = ledger.Complete(Success(entry, 2), T0 + Timeout * 2);

        Assert.Equal(CompletionOutcome.Accepted, late.Outcome);
        Assert.Equal("late", Assert.IsType<TrialSucceeded>(Assert.Single(late.Events)).How);
        Assert.Equal(CompletionOutcome.Duplicate, again.Outcome);
        Assert.Equal(CompletionOutcome.Duplicate, current.Outcome);
        Assert.Equal(1, ledger.Count(TrialState.Done));
    }

    [Fact]
    public void Results_of_another_runner_are_refused_and_its_workers_get_no_work()
    {
        var ledger = Ledger([Walk("zoom")], runner: "walk");
        var entry = ledger.TryLease("a", "n", "cpu", T0).Entry!;

        var synthetic = ledger.Complete(Success(entry, 1, runner: "synthetic"), T0);

        Assert.Equal(CompletionOutcome.Refused, synthetic.Outcome);
        Assert.Contains("runner 'synthetic'", synthetic.Why);
        Assert.Equal(TrialState.Leased, entry.State);
        Assert.Null(ledger.RefusesRunner("walk"));
        Assert.Contains("--runner walk", ledger.RefusesRunner("synthetic"));
        Assert.NotNull(ledger.RefusesRunner("nowork"));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../outside.parquet")]
    [InlineData("alpha_metrics/transform=zoom/walk=linear/regime=plain/../../../x.parquet")]
    [InlineData("alpha_metrics/transform=zoom/walk=linear/regime=plain/0000000000000000.parquet")]
    [InlineData("")]
    public void A_result_whose_paths_are_not_the_trials_own_is_refused(string path)
    {
        var ledger = Ledger([Walk("zoom")]);
        var entry = ledger.TryLease("a", "n", "cpu", T0).Entry!;

        var decision = ledger.Complete(Success(entry, 1, files: [new PublishedFile("alpha_metrics", path, 2, "ab")]), T0);

        Assert.Equal(CompletionOutcome.Refused, decision.Outcome);
        Assert.Contains("path", decision.Why);
    }

    [Fact]
    public void A_walk_may_not_report_checkpoint_files_and_a_generator_only_its_own()
    {
        var generator = Generator();
        var ledger = Ledger([generator, Walk("zoom", generator.Key)]);
        var g = ledger.TryLease("a", "n", "cpu", T0).Entry!;

        var foreign = ledger.Complete(Success(g, 1, files: [new PublishedFile(PublishedFile.ArtifactTable, "0000000000000000/generator.safetensors", 0, "cd")]), T0);

        Assert.Equal(CompletionOutcome.Refused, foreign.Outcome);
        Assert.Equal(CompletionOutcome.Accepted, ledger.Complete(Success(g, 1), T0).Outcome);
    }

    [Fact]
    public void A_result_whose_files_are_not_there_is_refused()
    {
        var ledger = Ledger([Walk("zoom")]);
        var entry = ledger.TryLease("a", "n", "cpu", T0).Entry!;

        var decision = ledger.Complete(Success(entry, 1), T0, present: _ => false);

        Assert.Equal(CompletionOutcome.Refused, decision.Outcome);
        Assert.Contains("is not there", decision.Why);
        Assert.Equal(CompletionOutcome.Accepted, ledger.Complete(Success(entry, 1), T0, present: _ => true).Outcome);
    }

    [Fact]
    public void A_resumed_sweep_of_another_runner_redoes_the_trials_a_synthetic_run_finished()
    {
        var trials = new[] { Walk("zoom"), Walk("shiftx") };
        var synthetic = Ledger(trials, runner: "synthetic");
        var journal = new List<ILedgerEvent>();
        foreach (var _ in trials)
        {
            var lease = synthetic.TryLease("a", "n", "cpu", T0);
            journal.AddRange(lease.Events);
            journal.AddRange(synthetic.Complete(Success(lease.Entry!, 1, runner: "synthetic"), T0).Events);
        }
        Assert.True(synthetic.Succeeded);

        var real = Ledger(trials, runner: "walk");
        foreach (var e in journal)
        {
            real.Apply(e, T0);
        }
        var events = real.Reconcile(_ => null, _ => true, T0);

        Assert.Equal(2, events.OfType<TrialReset>().Count());
        Assert.All(real.Entries, e => Assert.Equal(TrialState.Pending, e.State));
        Assert.Contains("runner 'synthetic'", real.Entries[0].Error);
    }

    [Fact]
    public void A_missing_generator_checkpoint_on_resume_redoes_the_generator_and_then_its_walks()
    {
        var generator = Generator();
        var trials = new[] { generator, Walk("zoom", generator.Key), Walk("shiftx", generator.Key) };
        var ledger = Ledger(trials, retries: 0);
        var g = ledger.TryLease("a", "n", "cpu", T0).Entry!;
        ledger.Complete(Success(g, 1), T0);
        var done = ledger.TryLease("a", "n", "cpu", T0).Entry!;
        ledger.Complete(Success(done, 1), T0);
        // The other walk found the checkpoint gone and failed for good (no retries).
        var failed = ledger.TryLease("a", "n", "cpu", T0).Entry!;
        ledger.Complete(Success(failed, 1) with { Succeeded = false, Error = "generator missing", Files = [] }, T0);
        Assert.Equal(TrialState.Failed, failed.State);

        var events = ledger.Reconcile(_ => null, file => file.Table != PublishedFile.ArtifactTable, T0);

        Assert.Equal(3, events.OfType<TrialReset>().Count());
        Assert.Contains("checkpoint file", g.Error);
        Assert.All(ledger.Entries, e => Assert.Equal(TrialState.Pending, e.State));
        // The generator runs first; its walks wait for it, and each gets its retries afresh.
        Assert.Equal(g.Key, ledger.TryLease("a", "n", "cpu", T0).Entry!.Key);
        Assert.False(ledger.TryLease("b", "n", "cpu", T0).Granted);
        ledger.Complete(Success(g, 2), T0);
        var rerun = ledger.TryLease("b", "n", "cpu", T0).Entry!;
        Assert.Equal(CompletionOutcome.Failed, ledger.Complete(Success(rerun, rerun.Attempts) with { Succeeded = false, Files = [] }, T0).Outcome);
        Assert.Equal(TrialState.Failed, rerun.State);
    }

    [Fact]
    public void A_changed_result_file_on_resume_redoes_its_trial_and_names_the_file()
    {
        var ledger = Ledger([Walk("zoom")]);
        var entry = ledger.TryLease("a", "n", "cpu", T0).Entry!;
        ledger.Complete(Success(entry, 1), T0);

        var reset = Assert.IsType<TrialReset>(Assert.Single(ledger.Reconcile(_ => null, _ => false, T0)));

        Assert.Contains(TableFile(entry.Spec).Path, reset.Reason);
        Assert.Equal(TableFile(entry.Spec).Path, Assert.Single(reset.Files!).Path);
    }

    [Fact]
    public void A_manifest_on_disk_counts_only_with_a_token_the_ledger_issued_and_the_sweeps_runner()
    {
        var ledger = Ledger([Walk("zoom"), Walk("shiftx"), Walk("shifty")]);
        var leased = ledger.TryLease("a", "n", "cpu", T0).Entry!;
        var foreign = ledger.TryLease("b", "n", "cpu", T0).Entry!;
        var never = ledger.Entries.Single(e => e.State == TrialState.Pending);

        var events = ledger.Reconcile(key =>
            key == leased.Key ? Success(leased, 1) with { Token = "forged" }
            : key == foreign.Key ? Success(foreign, 1, runner: "synthetic")
            : Success(never, 1) with { Token = "made-up" }, _ => true, T0);

        Assert.Empty(events);
        Assert.Equal(0, ledger.Count(TrialState.Done));
    }
}
