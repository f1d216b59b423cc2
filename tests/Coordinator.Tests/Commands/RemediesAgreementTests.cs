using Steerability.Coordinator.Cli;
using Steerability.Experiments.Runtime;
using System.Text.Json.Serialization;
using Parquet.Serialization;
using Spectre.Console.Testing;
using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;
using Steerability.Coordinator.Tests.Cluster;
using Steerability.Experiments.Studies;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Tests.Commands;

/// <summary>
/// `steer remedies` and a sweep with the same settings compute the same numbers: one implementation of the regimes,
/// one masked-L2 scale ([-1, 1]), named in every alpha_metrics row.
/// </summary>
public sealed class RemediesAgreementTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("steer-remedies-agree-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] RemediesArgs =
    [
        "remedies", "--model", "shapes", "--transform", "zoom", "--regimes", "plain,augmented,joint", "--gan-steps", "3", "--steps", "2",
        "--batch", "4", "--lr", "0.005", "--augmented-share", "0.5", "--eval-latents", "2", "--seed", "1", "--device", "cpu",
    ];

    // The same settings as a spec: the generator batch is the shapes recipe's 64, as `steer remedies` keeps it.
    private const string TwinSpec = """
        sweep: remedies-twin
        models: [shapes]
        transforms: [zoom]
        walks: [linear]
        regimes: [plain, augmented, joint]
        seeds: [1]
        augmented_share: 0.5
        budget:
          generator: {steps: 3, batch: 64}
          walk: {steps: 2, batch: 4, eval_latents: 2, learning_rate: 0.005}
        device: cpu
        """;

    private const string RowsSql =
        "SELECT regime, class, alpha, l2_mean, l2_std, baseline_l2_mean, baseline_l2_std, n, l2_scale, schema_version FROM alpha_metrics ORDER BY regime, class, alpha";

    [Fact]
    public void The_command_expands_to_exactly_the_trials_of_the_twin_spec()
    {
        var spec = SweepSpecParser.Parse(TwinSpec, "twin.yaml");
        var settings = new RemediesCommand.Settings
        {
            Model = "shapes",
            Transform = "zoom",
            GanSteps = 3,
            Steps = 2,
            Batch = 4,
            LearningRate = 0.005,
            AugmentedShare = 0.5,
            EvaluationLatents = 2,
            Seed = 1,
        };
        var fromCommand = TrialExpansion.Expand(RemediesCommand.SweepSpecOf(settings, GeneratorLoading.Describe(settings), ["plain", "augmented", "joint"])).Select(t => t.Key).Order();
        var fromSpec = TrialExpansion.Expand(spec).Select(t => t.Key).Order();
        Assert.Equal(fromSpec, fromCommand);
    }

    [Fact]
    public async Task Steer_remedies_and_a_sweep_with_the_same_settings_write_the_same_rows()
    {
        var commandOut = Path.Combine(_folder, "remedies");
        var previousHome = Environment.GetEnvironmentVariable(SteerPaths.HomeVariable);
        Environment.SetEnvironmentVariable(SteerPaths.HomeVariable, Path.Combine(_folder, "home-command"));
        try
        {
            var errors = new StringWriter();
            var code = SteerApp.Run([.. RemediesArgs, "--out", commandOut], new TestConsole().Width(160), errors);
            Assert.True(code == 0, errors.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(SteerPaths.HomeVariable, previousHome);
        }

        using var fixture = new SweepFixture();
        File.WriteAllText(fixture.SpecPath, TwinSpec);
        var plan = fixture.Plan();
        var coordinator = SweepFixture.Coordinator with { Ledger = SweepFixture.Coordinator.Ledger with { LeaseTimeout = TimeSpan.FromSeconds(60) } };
        await using (var host = SweepHost.StartEmbedded(plan, coordinator, SweepFixture.Worker, new WalkTrialRunner(new SteerPaths(Path.Combine(_folder, "home-sweep"))), 1, "cpu"))
        {
            // A guard against a hung sweep, not a speed test.
            var status = await host.WaitForCompletionAsync(null, TimeSpan.FromMilliseconds(100), new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token);
            Assert.True(status.Succeeded, string.Join("; ", status.RecentErrors));
            await host.WorkersStoppedAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        var command = await SweepQuery.RunAsync(commandOut, RowsSql);
        var sweep = await SweepQuery.RunAsync(plan.SweepDir, RowsSql);
        // 3 regimes × (12 classes + all) × the zoom α of the paper grid.
        Assert.Equal(3 * 13 * SweepCatalog.Grid("shapes", "zoom", "default", "linear", 32).Length, command.Rows.Count);
        Assert.Equal(command.Rows.Count, sweep.Rows.Count);
        for (var i = 0; i < command.Rows.Count; i++)
        {
            // The same trials through the same code on the same CPU: equal to the last bit.
            Assert.Equal(command.Rows[i], sweep.Rows[i]);
        }
        Assert.All(command.Rows, r => Assert.Equal("[-1,1]", r[8]));
        // The remedies differ from plain: the augmented and joint regimes did train other generators.
        double L2(string regime) => command.Rows.Where(r => (string)r[0]! == regime && (string)r[1]! == "all").Sum(r => Convert.ToDouble(r[5]));
        Assert.NotEqual(L2("plain"), L2("augmented"));
        Assert.NotEqual(L2("plain"), L2("joint"));
    }

    [Theory]
    [InlineData("--checkpoint", "some/folder", "--checkpoint/--weights/--generator")]
    [InlineData("--lr", "0", "--lr")]
    [InlineData("--regimes", "plain,sideways", "--regimes: 'sideways'")]
    public void Remedies_share_the_walk_flags_and_refuse_what_does_not_apply_in_one_line(string flag, string value, string named)
    {
        var errors = new StringWriter();
        var code = SteerApp.Run(["remedies", flag, value, "--out", Path.Combine(_folder, "refused")], new TestConsole(), errors);
        Assert.Equal(2, code);
        Assert.Contains(named, Assert.Single(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(Directory.Exists(Path.Combine(_folder, "refused")));
        Assert.Equal("shapes", new RemediesCommand.Settings().Model);                              // the default of every command
    }

    [Fact]
    public async Task A_folder_that_mixes_schema_versions_is_refused_in_one_line()
    {
        var table = Directory.CreateDirectory(Path.Combine(_folder, "mixed", "alpha_metrics")).FullName;
        await ParquetSerializer.SerializeAsync(new[] { new VersionOneRow { Model = "shapes", Alpha = 1, L2Mean = 0.01 } }, Path.Combine(table, "old.parquet"));
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(table, "new.parquet"),
            new[] { new WalkMetricRecord("shapes", "all", "zoom", "linear", PerClass: false, "plain", Alpha: 1, L2Mean: 0.04, L2Std: 0, BaselineL2Mean: 0, BaselineL2Std: 0, N: 1) });

        var error = await Assert.ThrowsAsync<InputException>(() => SweepQuery.RunAsync(Path.Combine(_folder, "mixed"), "SELECT * FROM alpha_metrics"));
        Assert.Contains($"mixes schema versions 1 and {WalkMetricRecord.CurrentSchemaVersion}", error.Message);
        Assert.DoesNotContain('\n', error.Message);

        File.Delete(Path.Combine(table, "old.parquet"));
        var alone = await SweepQuery.RunAsync(Path.Combine(_folder, "mixed"), "SELECT schema_version, l2_scale FROM alpha_metrics");
        Assert.Equal([WalkMetricRecord.CurrentSchemaVersion, "[-1,1]"], Assert.Single(alone.Rows).Select(v => v is int i ? (object)i : v is long l ? (int)l : v));
    }

    /// <summary>An alpha_metrics row as schema version 1 wrote it: no version, no scale.</summary>
    private sealed class VersionOneRow
    {
        [JsonPropertyName("model")] public string Model { get; set; } = "";
        [JsonPropertyName("alpha")] public double Alpha { get; set; }
        [JsonPropertyName("l2_mean")] public double L2Mean { get; set; }
    }
}
