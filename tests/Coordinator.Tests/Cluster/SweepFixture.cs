using Steerability.GpuNode.Worker;
using Steerability.GpuNode.Contract;
using System.Collections.Concurrent;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Cluster;

/// <summary>A temporary sweep folder, fast timings, and a runner that counts how often each trial ran to completion.</summary>
internal sealed class SweepFixture : IDisposable
{
    public const string Spec = """
        sweep: fixture
        models: [shapes]
        transforms: [zoom, shiftx]
        walks: [linear, nonlinear]
        regimes: [plain, joint]
        alphas:
          shiftx: [-8, 0, 8]
        budget:
          generator: {steps: 3, batch: 2}
          walk: {steps: 3, batch: 2}
        """;

    public SweepFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "steer-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        SpecPath = Path.Combine(Root, "fixture.yaml");
        File.WriteAllText(SpecPath, Spec);
        OutDir = Path.Combine(Root, "results");
    }

    public string Root { get; }
    public string SpecPath { get; }
    public string OutDir { get; }

    public static readonly CoordinatorSettings Coordinator = new(
        new LedgerOptions(3, false, TimeSpan.FromSeconds(1.5), "synthetic"), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1));

    public static readonly WorkerSettings Worker = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300));

    public SweepPlan Plan()
    {
        var plan = SweepFolder.Plan(SpecPath, OutDir, newSweep: false);
        SweepFolder.Create(plan, newSweep: false);
        return plan;
    }

    /// <summary>Asserts exactly one result file per walk trial, with one row per α and the trial's key in every row.</summary>
    public static void AssertExactlyOneResultPerTrial(SweepPlan plan)
    {
        var files = Directory.EnumerateFiles(Path.Combine(plan.SweepDir, "alpha_metrics"), "*.parquet", SearchOption.AllDirectories).ToList();
        var walks = plan.Trials.Where(t => t.Kind == "walk").ToList();
        Assert.Equal(walks.Count, files.Count);
        Assert.Equal(walks.Select(t => t.Key).Order(), files.Select(Path.GetFileNameWithoutExtension).Order());
        Assert.Empty(Directory.EnumerateFiles(plan.SweepDir, ".*tmp-*", SearchOption.AllDirectories));
        foreach (var trial in plan.Trials.Where(t => t.Kind == "generator"))
        {
            Assert.True(new ArtifactStore(plan.ArtifactDir).Contains(trial.Key), $"generator {trial.Key} has no checkpoint");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Wraps a runner and counts completed runs per trial key, across actor systems.</summary>
internal sealed class CountingRunner(ITrialRunner inner) : ITrialRunner
{
    public ConcurrentDictionary<string, int> Completed { get; } = new();

    public string Name => inner.Name;

    public async Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct)
    {
        var outcome = await inner.RunAsync(trial, context, ct);
        Completed.AddOrUpdate(trial.Key, 1, (_, n) => n + 1);
        return outcome;
    }
}
