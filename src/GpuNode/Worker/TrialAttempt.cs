using Steerability.GpuNode.Contract;
using System.Diagnostics;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;

namespace Steerability.GpuNode.Worker;

/// <summary>
/// One attempt at a leased trial, without actors: runs the trial in the attempt's own folder
/// (`_work/KEY/attempt-N-TOKEN/`), publishes its tables, other files and generator checkpoint to their final paths
/// (each publication atomic and first-wins, so two attempts never write one final file), writes the result manifest,
/// and returns the <see cref="TrialFinished"/> to report, stamped with the lease's token and the runner's name.
/// </summary>
public sealed class TrialAttempt(ITrialRunner runner, string workerId, string node, string device)
{
    /// <summary>The folder an attempt works in: only this attempt of this lease writes there.</summary>
    public static string FolderFor(TrialLease lease) =>
        Path.Combine(SweepLayout.TrialWorkDir(lease.SweepDir, lease.Key), $"attempt-{lease.Attempt}-{Sanitize(lease.Token)}");

    /// <summary>Runs the lease to the end; never throws (a failure is a <see cref="TrialFinished"/> with its error).</summary>
    public async Task<TrialFinished> RunAsync(TrialLease lease, Action<double> progress, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var attemptDir = FolderFor(lease);
        string? staging = null;
        var store = new ArtifactStore(lease.ArtifactDir);
        try
        {
            var trial = TrialSpec.FromJson(lease.TrialJson);
            if (trial.Key != lease.Key)
            {
                throw new InvalidOperationException($"lease {lease.Key} carries the configuration of trial {trial.Key}");
            }
            if (!runner.WritesFiles)
            {
                // A runner that writes nothing has nothing to publish or to record in a manifest: the ledger's
                // journal is the only record of its trial (a resume runs it again if the result was not journaled).
                var nothing = await runner.RunAsync(trial, new TrialContext(attemptDir, attemptDir, lease.GeneratorDir, device, progress), ct);
                ct.ThrowIfCancellationRequested();
                return new TrialFinished(lease.Key, lease.Attempt, workerId, node, device, true, "", [],
                    watch.Elapsed.TotalSeconds, nothing.Throughput, nothing.ThroughputUnit, lease.Token, runner.Name);
            }
            if (Directory.Exists(attemptDir))
            {
                Directory.Delete(attemptDir, recursive: true); // left by this very attempt's earlier try in this process
            }
            Directory.CreateDirectory(attemptDir);
            staging = trial.Kind == "generator" ? store.NewStaging(lease.Key) : attemptDir;
            var context = new TrialContext(attemptDir, staging, lease.GeneratorDir, device, progress, new RowOrigin(trial.Key, runner.Name));
            var outcome = await Task.Run(() => runner.RunAsync(trial, context, ct), ct);
            ct.ThrowIfCancellationRequested();
            var files = (await TablePublisher.PublishAsync(lease.SweepDir, trial, attemptDir, ct)).ToList();
            TrialFilesPublisher.Publish(lease.SweepDir, trial, attemptDir);
            if (trial.Kind == "generator")
            {
                store.Publish(lease.Key, staging);
                files.AddRange(store.Files(lease.Key));
            }
            var finished = new TrialFinished(lease.Key, lease.Attempt, workerId, node, device, true, "", [.. files],
                watch.Elapsed.TotalSeconds, outcome.Throughput, outcome.ThroughputUnit, lease.Token, runner.Name);
            TablePublisher.PublishManifest(lease.SweepDir, finished);
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
            return new TrialFinished(lease.Key, lease.Attempt, workerId, node, device, false, error, [],
                watch.Elapsed.TotalSeconds, 0, "", lease.Token, runner.Name);
        }
    }

    private static string Sanitize(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
}
