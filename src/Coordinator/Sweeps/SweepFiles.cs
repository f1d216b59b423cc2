using Steerability.GpuNode.Contract;
using Akka.Actor;
using Steerability.Coordinator.Results;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Sweeps;

/// <summary>Asks <see cref="SweepFiles"/> which reported files are there (a result's, before the ledger decides on it).</summary>
internal sealed record CheckPresence(TrialFinished Finished, IActorRef Worker);

/// <summary>The answer to <see cref="CheckPresence"/>: the paths of the result's files that are not there.</summary>
internal sealed record PresenceChecked(TrialFinished Finished, IActorRef Worker, IReadOnlySet<string> Missing);

/// <summary>Asks <see cref="SweepFiles"/> to read every trial's manifest and hash the recorded files (a recovery).</summary>
internal sealed record ExamineFiles(IReadOnlyList<string> Keys, IReadOnlyList<PublishedFile> Recorded);

/// <summary>The answer to <see cref="ExamineFiles"/>: the manifests found, and the files that are there with their recorded SHA-256.</summary>
internal sealed record FilesExamined(IReadOnlyDictionary<string, TrialFinished> Manifests, IReadOnlySet<PublishedFile> Intact);

/// <summary>Asks <see cref="SweepFiles"/> to remove what a reset trial left (its reset is journaled already).</summary>
internal sealed record RemoveTrialFiles(TrialSpec Trial, PublishedFile[] Files);

/// <summary>The answer to <see cref="RemoveTrialFiles"/>; <see cref="Problem"/> when not every file could be removed.</summary>
internal sealed record TrialFilesRemovedFromDisk(string Key, string? Problem);

/// <summary>Asks <see cref="SweepFiles"/> to rewrite the trials table from a snapshot of its rows.</summary>
internal sealed record WriteTrialsTable(IReadOnlyList<TrialRow> Rows, bool Final);

/// <summary>The answer to <see cref="WriteTrialsTable"/>; <see cref="Problem"/> when it was not written.</summary>
internal sealed record TrialsTableWritten(bool Final, string? Problem);

/// <summary>
/// What the coordinator does to the sweep's files, one request at a time and off the coordinator's thread: checks
/// and hashes files, removes a reset trial's files, writes the trials table. Each request is answered with a message,
/// so the coordinator goes on deciding (and journaling) while the disk works.
/// </summary>
internal sealed class SweepFiles : ReceiveActor
{
    private readonly string _sweepDir;
    private readonly ArtifactStore _artifacts;

    public SweepFiles(string sweepDir, ArtifactStore artifacts)
    {
        _sweepDir = sweepDir;
        _artifacts = artifacts;
        Receive<CheckPresence>(check => Sender.Tell(new PresenceChecked(check.Finished, check.Worker,
            (check.Finished.Files ?? []).Where(f => !File.Exists(PathOf(f))).Select(f => f.Path).ToHashSet())));
        ReceiveAsync<ExamineFiles>(async examine => Sender.Tell(await ExamineAsync(examine)));
        Receive<RemoveTrialFiles>(remove => Sender.Tell(new TrialFilesRemovedFromDisk(remove.Trial.Key, Remove(remove))));
        ReceiveAsync<WriteTrialsTable>(async write =>
        {
            var sender = Sender;
            try
            {
                await TrialsTable.WriteAsync(_sweepDir, write.Rows);
                sender.Tell(new TrialsTableWritten(write.Final, null));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                sender.Tell(new TrialsTableWritten(write.Final, e.Message));
            }
        });
    }

    public static Props Props(string sweepDir, ArtifactStore artifacts) =>
        Akka.Actor.Props.Create(() => new SweepFiles(sweepDir, artifacts));

    /// <summary>Where a reported file lies: checkpoint files under the artifact folder, the others in the sweep folder.</summary>
    private string PathOf(PublishedFile file) =>
        Path.Combine(file.Table == PublishedFile.ArtifactTable ? _artifacts.Root : _sweepDir, file.Path);

    /// <summary>The one place a coordinator hashes result files: on recovery, each recorded or published file once.</summary>
    private async Task<FilesExamined> ExamineAsync(ExamineFiles examine)
    {
        var manifests = new Dictionary<string, TrialFinished>();
        foreach (var key in examine.Keys)
        {
            if (TablePublisher.ReadManifest(_sweepDir, key) is { } manifest)
            {
                manifests[key] = manifest;
            }
        }
        var intact = new HashSet<PublishedFile>();
        var files = examine.Recorded.Concat(manifests.Values.SelectMany(m => m.Files ?? [])).Where(f => f is not null).Distinct();
        foreach (var file in files)
        {
            if (!SweepLedger.SafeRelativePath(file.Path))
            {
                continue;
            }
            if (await HasSha256Async(PathOf(file), file.Sha256))
            {
                intact.Add(file);
            }
        }
        return new FilesExamined(manifests, intact);
    }

    /// <summary>
    /// Clears what a reset trial left, so its next attempt publishes afresh (publication never replaces a file): its own
    /// table files, its manifest, its other files and, for a generator, its checkpoint. Merged (compacted) files hold
    /// other trials' rows too and are left alone. Removing what is gone already is no error, so a removal a crash
    /// interrupted is simply done again.
    /// </summary>
    private string? Remove(RemoveTrialFiles remove)
    {
        var trial = remove.Trial;
        try
        {
            foreach (var file in remove.Files.Where(f => f is not null && f.Table != PublishedFile.ArtifactTable
                && SweepLedger.SafeRelativePath(f.Path) && Path.GetFileName(f.Path) == trial.Key + ".parquet"))
            {
                DeleteFile(Path.Combine(_sweepDir, file.Path));
            }
            DeleteFile(SweepLayout.ManifestPath(_sweepDir, trial.Key));
            var folder = SweepLayout.TrialFilesDir(_sweepDir, trial);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            if (trial.Kind == "generator" && Directory.Exists(_artifacts.PathFor(trial.Key)))
            {
                Directory.Delete(_artifacts.PathFor(trial.Key), recursive: true);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>True when the file is there and readable with that SHA-256; a file that cannot be read counts as altered.</summary>
    private static async Task<bool> HasSha256Async(string path, string sha256)
    {
        try
        {
            return File.Exists(path) && await TablePublisher.Sha256Async(path, CancellationToken.None) == sha256;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void DeleteFile(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
