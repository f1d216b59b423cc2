using Steerability.GpuNode.Worker;
using Steerability.GpuNode.Contract;
using System.Security.Cryptography;
using Parquet.Serialization;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.GpuNode.Tests.Worker;

/// <summary>
/// One attempt at a lease, with no actor and no coordinator: it works only in its own folder, publishes its files
/// atomically and first-wins, and reports them stamped with its lease's token and its runner.
/// </summary>
public sealed class TrialAttemptTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "steer-attempt-" + Guid.NewGuid().ToString("N")[..8]);

    private string SweepDir => Path.Combine(_root, "sweep");

    private string ArtifactDir => Path.Combine(_root, "artifacts");

    private static readonly TrialSpec Generator = new GeneratorTrial { Model = "shapes", Steps = 2, Batch = 2 };

    private static readonly TrialSpec Walk = new WalkTrial
    {
        Model = "shapes",
        Transform = "zoom",
        Walk = "linear",
        Steps = 2,
        Batch = 2,
        Alphas = [0.5, 1, 2],
        GeneratorKey = Generator.Key,
    };

    private TrialLease Lease(TrialSpec trial, int attempt, string token) => new(trial.Key, attempt, trial.ToJson(), SweepDir,
        ArtifactDir, trial.DependsOn.Length > 0 ? Path.Combine(ArtifactDir, trial.DependsOn) : null, 60, token);

    private async Task<TrialFinished> RunAsync(ITrialRunner runner, TrialLease lease, CancellationToken ct = default) =>
        await new TrialAttempt(runner, "n/cpu/abcd", "n", "cpu").RunAsync(lease, _ => { }, ct);

    private async Task PublishGeneratorAsync() =>
        Assert.True((await RunAsync(new SyntheticTrialRunner(), Lease(Generator, 1, "g1"))).Succeeded);

    [Fact]
    public async Task A_runner_that_writes_no_files_gets_no_attempt_folder_and_no_manifest()
    {
        var seen = new RecordingRunner(new NoWorkTrialRunner(), writesFiles: false);
        var lease = Lease(Walk, 1, "tok1");

        var finished = await RunAsync(seen, lease);

        Assert.True(finished.Succeeded, finished.Error);
        Assert.Equal(("tok1", "nowork", 1), (finished.Token, finished.Runner, finished.Attempt));
        Assert.Empty(finished.Files);
        Assert.Equal(TrialAttempt.FolderFor(lease), seen.OutputDir);
        Assert.False(Directory.Exists(SweepLayout.TrialWorkDir(SweepDir, Walk.Key)), "no attempt folder is made");
        Assert.Null(TablePublisher.ReadManifest(SweepDir, Walk.Key));
        // The same runner declaring files gets the full treatment: a manifest recording the result.
        var full = await RunAsync(new RecordingRunner(new NoWorkTrialRunner()), Lease(Walk, 2, "tok2"));
        Assert.True(full.Succeeded, full.Error);
        Assert.Equal("tok2", TablePublisher.ReadManifest(SweepDir, Walk.Key)?.Token);
    }

    [Fact]
    public async Task An_attempt_runs_in_its_own_folder_and_publishes_rows_marked_with_trial_and_runner()
    {
        await PublishGeneratorAsync();
        var seen = new RecordingRunner(new SyntheticTrialRunner());

        var finished = await RunAsync(seen, Lease(Walk, 2, "tok2"));

        Assert.True(finished.Succeeded, finished.Error);
        Assert.Equal(TrialAttempt.FolderFor(Lease(Walk, 2, "tok2")), seen.OutputDir);
        Assert.EndsWith("attempt-2-tok2", seen.OutputDir);
        Assert.False(Directory.Exists(seen.OutputDir), "the attempt folder is removed once published");
        Assert.Equal(("tok2", "synthetic", 2), (finished.Token, finished.Runner, finished.Attempt));
        var file = Assert.Single(finished.Files);
        Assert.Equal(SweepLayout.TableFilePath("alpha_metrics", Walk).Replace('\\', '/'), file.Path);
        var path = Path.Combine(SweepDir, file.Path);
        Assert.Equal(file.Sha256, await TablePublisher.Sha256Async(path, CancellationToken.None));
        var rows = (await ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(path))).Data;
        Assert.Equal(3, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(Walk.Key, row[RowOrigin.TrialKeyColumn]);
            Assert.Equal("synthetic", row[RowOrigin.RunnerColumn]);
        });
        var manifest = TablePublisher.ReadManifest(SweepDir, Walk.Key)!;
        Assert.Equal(("tok2", "synthetic"), (manifest.Token, manifest.Runner));
    }

    [Fact]
    public async Task A_published_table_is_the_file_the_runner_wrote_byte_for_byte()
    {
        await PublishGeneratorAsync();
        var runner = new SnapshotRunner(new SyntheticTrialRunner());

        var finished = await RunAsync(runner, Lease(Walk, 1, "bytes"));

        Assert.True(finished.Succeeded, finished.Error);
        var file = Assert.Single(finished.Files);
        var written = runner.Tables["alpha_metrics.parquet"];
        // Moved into place, never rewritten: the runner's bytes, and the hash and row count reported are theirs.
        Assert.Equal(written, await File.ReadAllBytesAsync(Path.Combine(SweepDir, file.Path)));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(written)), file.Sha256);
        Assert.Equal(((WalkTrial)Walk).Alphas.Length, file.Rows);
    }

    [Fact]
    public async Task A_table_written_without_the_trials_origin_is_refused_and_not_published()
    {
        var finished = await RunAsync(new OtherRowsRunner(withOrigin: false), Lease(Walk, 1, "bare"));

        Assert.False(finished.Succeeded);
        Assert.Contains("alpha_metrics.parquet: the table's first columns are (schema_version, l2_scale); accepted: (trial_key, runner)", finished.Error);
        Assert.Empty(finished.Files);
        Assert.False(Directory.Exists(Path.Combine(SweepDir, "alpha_metrics")), "nothing reaches the sweep's tables");
        Assert.Null(TablePublisher.ReadManifest(SweepDir, Walk.Key));
    }

    [Fact]
    public async Task A_second_attempt_never_replaces_the_first_attempts_published_files()
    {
        await PublishGeneratorAsync();
        var first = await RunAsync(new SyntheticTrialRunner(), Lease(Walk, 1, "one"));
        var path = Path.Combine(SweepDir, first.Files[0].Path);
        var written = File.GetLastWriteTimeUtc(path);
        var inode = new FileInfo(path).Length;

        var second = await RunAsync(new OtherRowsRunner(), Lease(Walk, 2, "two"));

        Assert.True(second.Succeeded, second.Error);
        // The second attempt wrote other rows, yet the final file is still the first's, and both report it as it is.
        Assert.Equal(first.Files[0].Sha256, second.Files[0].Sha256);
        Assert.Equal(first.Files[0].Sha256, await TablePublisher.Sha256Async(path, CancellationToken.None));
        Assert.Equal((written, inode), (File.GetLastWriteTimeUtc(path), new FileInfo(path).Length));
        Assert.Equal(first.Files[0].Rows, second.Files[0].Rows);
        Assert.Equal("one", TablePublisher.ReadManifest(SweepDir, Walk.Key)!.Token);
        Assert.Single(Directory.EnumerateFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task A_generator_attempt_reports_each_checkpoint_file_with_its_sha256()
    {
        var finished = await RunAsync(new SyntheticTrialRunner(), Lease(Generator, 1, "g1"));

        Assert.True(finished.Succeeded, finished.Error);
        var store = new ArtifactStore(ArtifactDir);
        Assert.True(store.Contains(Generator.Key));
        Assert.Contains(finished.Files, f => f.Path == $"{Generator.Key}/generator.bin");
        Assert.Contains(finished.Files, f => f.Path == $"{Generator.Key}/{ArtifactStore.ChecksumsFile}");
        foreach (var file in finished.Files)
        {
            Assert.Equal(PublishedFile.ArtifactTable, file.Table);
            Assert.Equal(file.Sha256, await TablePublisher.Sha256Async(Path.Combine(ArtifactDir, file.Path), CancellationToken.None));
        }
        Assert.Empty(Directory.EnumerateDirectories(ArtifactDir, ".staging-*"));
    }

    [Fact]
    public async Task A_failed_attempt_reports_its_error_with_its_token_and_publishes_nothing()
    {
        var failing = new SyntheticTrialRunner { FailWhen = (_, _) => true };

        var finished = await RunAsync(failing, Lease(Generator, 3, "t3"));

        Assert.False(finished.Succeeded);
        Assert.Contains("synthetic failure", finished.Error);
        Assert.DoesNotContain('\n', finished.Error);
        Assert.Equal(("t3", "synthetic", 3), (finished.Token, finished.Runner, finished.Attempt));
        Assert.Empty(finished.Files);
        Assert.False(new ArtifactStore(ArtifactDir).Contains(Generator.Key));
        Assert.Empty(Directory.EnumerateDirectories(ArtifactDir, ".staging-*"));
        Assert.Null(TablePublisher.ReadManifest(SweepDir, Generator.Key));
    }

    [Fact]
    public async Task A_cancelled_attempt_says_so_and_publishes_nothing()
    {
        await PublishGeneratorAsync();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var finished = await RunAsync(new SyntheticTrialRunner { Duration = TimeSpan.FromSeconds(5) }, Lease(Walk, 1, "c"), cancel.Token);

        Assert.False(finished.Succeeded);
        Assert.Equal("cancelled", finished.Error);
        Assert.False(Directory.Exists(Path.Combine(SweepDir, "alpha_metrics")));
    }

    [Fact]
    public async Task A_lease_whose_configuration_is_another_trials_is_refused()
    {
        var lease = Lease(Walk, 1, "x") with { Key = Generator.Key };

        var finished = await RunAsync(new SyntheticTrialRunner(), lease);

        Assert.False(finished.Succeeded);
        Assert.Contains("carries the configuration of trial", finished.Error);
    }

    [Fact]
    public void Worker_ids_differ_on_every_start_of_the_same_node_and_device()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => TrialWorker.NewWorkerId("host:4055", "cpu")).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^host:4055/cpu/[0-9a-f]{8}$", id));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Remembers the output folder it was given.</summary>
    private sealed class RecordingRunner(ITrialRunner inner, bool writesFiles = true) : ITrialRunner
    {
        public string OutputDir { get; private set; } = "";

        public string Name => inner.Name;

        public bool WritesFiles => writesFiles;

        public Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
        {
            OutputDir = context.OutputDir;
            return inner.RunAsync(trial, context, ct);
        }
    }

    /// <summary>Keeps the bytes of every table the runner left in its output folder, as they were before publication.</summary>
    private sealed class SnapshotRunner(ITrialRunner inner) : ITrialRunner
    {
        public Dictionary<string, byte[]> Tables { get; } = [];

        public string Name => inner.Name;

        public async Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
        {
            var outcome = await inner.RunAsync(trial, context, ct);
            foreach (var table in Directory.EnumerateFiles(context.OutputDir, "*.parquet"))
            {
                Tables[Path.GetFileName(table)] = await File.ReadAllBytesAsync(table, ct);
            }
            return outcome;
        }
    }

    /// <summary>Writes rows other than the synthetic runner's, so a replaced file would show; without its origin when told.</summary>
    private sealed class OtherRowsRunner(bool withOrigin = true) : ITrialRunner
    {
        public string Name => "synthetic";

        public async Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
        {
            var walk = (WalkTrial)trial;
            var rows = walk.Alphas.Select(alpha => new WalkMetricRecord("other", "all", walk.Transform, walk.Walk, PerClass: false, walk.Regime, alpha,
                L2Mean: 9, L2Std: 0, BaselineL2Mean: 0, BaselineL2Std: 0, N: 1)).ToList();
            await ParquetFile.WriteAtomicallyAsync(Path.Combine(context.OutputDir, "alpha_metrics.parquet"), rows, withOrigin ? context.Origin : null, ct);
            return new TrialOutcome();
        }
    }
}
