using Steerability.Coordinator.Commands;
using Steerability.GpuNode.Contract;
using Steerability.Experiments.Runtime;
using Steerability.Coordinator.Tests.Sweeps;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Trials;
using Xunit;

namespace Steerability.Coordinator.Tests.Cluster;

/// <summary>The real science under the orchestrator: a tiny sweep trained and evaluated end to end in one process.</summary>
public sealed class WalkSweepTests
{
    private const string TinySpec = """
        sweep: tiny
        models: [shapes]
        transforms: [zoom]
        walks: [linear]
        budget:
          generator: {steps: 5, batch: 8}
          walk: {steps: 3, batch: 4, eval_latents: 4}
        device: cpu
        """;

    [Fact]
    public async Task A_tiny_real_sweep_trains_a_generator_and_a_walk_and_writes_real_alpha_metrics()
    {
        using var fixture = new SweepFixture();
        File.WriteAllText(fixture.SpecPath, TinySpec);
        var plan = fixture.Plan();
        var runner = new WalkTrialRunner(new SteerPaths(Path.Combine(fixture.Root, "home")));

        // Real training saturates the cores, and on a shared machine heartbeats can lag by seconds: a lease timeout
        // as short as the synthetic tests' would revoke healthy trials.
        var coordinator = SweepFixture.Coordinator with { Ledger = SweepFixture.Coordinator.Ledger with { LeaseTimeout = TimeSpan.FromSeconds(60) } };
        await using (var host = SweepHost.StartEmbedded(plan, coordinator, SweepFixture.Worker, runner, 1, "cpu"))
        {
            // A guard against a hung sweep, not a speed test: the two trials take 5–8 s on an idle 2-core machine, but
            // over 60 s (the deadline this had) with ten other busy processes on it, as on a shared build machine.
            var status = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token);
            Assert.True(status.Succeeded, string.Join("; ", status.RecentErrors));
            Assert.Equal(2, status.Done);
            await host.WorkersStoppedAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        SweepFixture.AssertExactlyOneResultPerTrial(plan);
        var generator = plan.Trials.Single(t => t.Kind == "generator");
        var checkpoint = new Steerability.GpuNode.Results.ArtifactStore(plan.ArtifactDir).PathFor(generator.Key);
        Assert.All(new[] { "checkpoint.json", "generator.safetensors", "samples.png" },
            file => Assert.True(File.Exists(Path.Combine(checkpoint, file)), $"{file} is missing from the checkpoint"));

        var result = await SweepQuery.RunAsync(plan.SweepDir,
            "SELECT alpha, l2_mean, baseline_l2_mean, n FROM alpha_metrics WHERE class = 'all' ORDER BY alpha");
        var rows = result.Rows.Select(r => (Alpha: Convert.ToDouble(r[0]), L2: Convert.ToDouble(r[1]), Baseline: Convert.ToDouble(r[2]), N: Convert.ToInt64(r[3]))).ToList();
        Assert.Equal(plan.Trials.OfType<WalkTrial>().Single().Alphas, rows.Select(r => r.Alpha));
        Assert.All(rows, r => Assert.True(r.N > 0 && double.IsFinite(r.L2) && r.L2 >= 0, $"row {r}"));
        // A linear walk at the identity α leaves z unmoved bit for bit (log 1 = 0, z + 0·w = z), so G draws the same
        // batch through the same kernels, and the edit returns its input: one computation twice, so exactly 0.
        var identity = rows.Single(r => r.Alpha == 1.0);
        Assert.Equal(0.0, identity.L2);
        Assert.Contains(rows, r => r.L2 > 0);
    }

    [Fact]
    public async Task The_augmented_and_joint_regimes_train_on_a_tiny_budget()
    {
        var home = Directory.CreateTempSubdirectory("steer-regimes-").FullName;
        try
        {
            var runner = new WalkTrialRunner(new SteerPaths(home));
            var generatorDir = Directory.CreateDirectory(Path.Combine(home, "augmented")).FullName;
            var generator = new GeneratorTrial { Model = "shapes", Transform = "shiftx", Regime = "augmented", Steps = 3, Batch = 8, Seed = 1 };
            await runner.RunAsync(generator, new TrialContext(Path.Combine(home, "unused"), generatorDir, null, "cpu", _ => { }), CancellationToken.None);
            Assert.True(File.Exists(Path.Combine(generatorDir, "checkpoint.json")));

            var output = Directory.CreateDirectory(Path.Combine(home, "joint")).FullName;
            var joint = new WalkTrial
            {
                Model = "shapes",
                Transform = "shiftx",
                Walk = "linear",
                Regime = "joint",
                Class = "circle",
                Steps = 3,
                Batch = 8,
                Seed = 1,
                EvalLatents = 4,
                Alphas = [-6, 0, 6],
            };
            await runner.RunAsync(joint, new TrialContext(output, Path.Combine(home, "unused2"), null, "cpu", _ => { }), CancellationToken.None);
            var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, "alpha_metrics.parquet"));
            Assert.Equal(3, rows.Count);
            Assert.All(rows, r => Assert.Equal("joint", r.Regime));
            Assert.Equal(0.0, rows.Single(r => r.Alpha == 0).L2Mean);                     // z + 0·w = z and the identity edit: exact
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task A_BigGan_walk_trial_loads_the_pretrained_weights_it_names()
    {
        var output = Directory.CreateTempSubdirectory("steer-biggan-trial-").FullName;
        try
        {
            var weights = Path.Combine(SweepSpecParserTests.RepoRoot(), "tests", "fixtures", "biggan-deep-tiny-a");
            var trial = new WalkTrial
            {
                Model = "biggan-deep",
                ModelSettings = new(StringComparer.Ordinal) { ["weights"] = weights, ["truncation"] = "0.4" },
                Class = "207",
                Transform = "brightness",
                Walk = "linear",
                Steps = 2,
                Batch = 2,
                Seed = 1,
                EvalLatents = 2,
                Alphas = [-0.5, 0, 0.5],
            };
            await new WalkTrialRunner(new SteerPaths(output)).RunAsync(trial, new TrialContext(output, output, null, "cpu", _ => { }), CancellationToken.None);
            var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, "alpha_metrics.parquet"));
            Assert.Equal(3, rows.Count);
            Assert.All(rows, r => Assert.Equal("biggan-deep-128", r.Model));
            Assert.All(rows, r => Assert.Equal("207", r.Class));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task A_joint_nonlinear_walk_fails_with_one_clear_line()
    {
        var runner = new WalkTrialRunner(new SteerPaths(Path.GetTempPath()));
        var trial = new WalkTrial { Model = "shapes", Transform = "zoom", Walk = "nonlinear", Regime = "joint" };
        var context = new TrialContext(Path.GetTempPath(), Path.GetTempPath(), null, "cpu", _ => { });
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => runner.RunAsync(trial, context, CancellationToken.None));
        Assert.Contains("linear walk", error.Message);
    }
}
