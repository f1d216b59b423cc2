using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Contract;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Runtime;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Coordinator.Sweeps;
using Steerability.Experiments.Families;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;
using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Training;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// `steer remedies`: the paper's §4.4 — the walk's masked L2 along α when G is trained plain, on edit-augmented data,
/// or jointly with the walk, side by side on the same held-out latents. It runs the trials of the equivalent sweep
/// (<see cref="SweepSpecOf"/>) on this machine, through the sweep's own trial runner: one implementation, one scale.
/// </summary>
public sealed class RemediesCommand(IAnsiConsole console) : AsyncCommand<RemediesCommand.Settings>
{
    /// <summary>The authors' post-hoc walk learning rate, the remedies' default for --lr.</summary>
    public const double PostHocLearningRate = 5e-3;

    /// <summary>The shared model and walk-budget flags (as walk, limits and demo), and the remedies' own.</summary>
    public sealed class Settings : WalkBudgetSettings
    {
        [CommandOption("--transform <T>")]
        [Description("The edit (the paper: rotate2d on mnist; also zoom and shiftx on shapes). --lr defaults to the authors' post-hoc 5e-3 here.")]
        [DefaultValue("rotate2d")]
        public string Transform { get; init; } = "rotate2d";

        [CommandOption("--regimes <LIST>")]
        [Description("Comma-separated: plain, augmented, joint.")]
        [DefaultValue("plain,augmented,joint")]
        public string Regimes { get; init; } = "plain,augmented,joint";

        [CommandOption("--augmented-share <SHARE>")]
        [Description("Share of real images edited in the augmented and joint regimes (the paper: 5/6).")]
        [DefaultValue(5.0 / 6.0)]
        public double AugmentedShare { get; init; } = 5.0 / 6.0;

        [CommandOption("--out <DIR>")]
        [Description("Folder for alpha_metrics.parquet (with a regime column; masked L2 on [[-1, 1]] images, as every command and sweep).")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        GeneratorLoading.TrainedHere(settings);
        if ((settings.Checkpoint ?? settings.Weights ?? settings.Generator) is { } given)
        {
            throw new InputException($"--checkpoint/--weights/--generator: '{given}' is not accepted here; the remedies train their generators (accepted: --model {string.Join(" or ", GeneratorFamilies.TrainedHereNames)}, --gan-steps)");
        }
        InputChecks.Transform(settings.Transform);
        var regimes = settings.Regimes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var regime in regimes)
        {
            if (TrainingRegimes.TryGet(regime) is null)
            {
                throw new InputException($"--regimes: '{regime}' is not a regime; accepted: {string.Join(", ", TrainingRegimes.Names)}");
            }
        }
        if (regimes.Length == 0)
        {
            throw new InputException($"--regimes: empty; accepted: {string.Join(", ", TrainingRegimes.Names)}");
        }
        settings.ValidateBudget();
        if (!(settings.AugmentedShare > 0 && settings.AugmentedShare <= 1))
        {
            throw new InputException($"--augmented-share: {settings.AugmentedShare} is not accepted; use a share above 0 and at most 1");
        }
        if (settings.Seed < 0)
        {
            throw new InputException($"--seed: {settings.Seed} is not accepted; use a whole number ≥ 0");
        }
        var generator = GeneratorLoading.Describe(settings);
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var trials = TrialExpansion.Expand(SweepSpecOf(settings, generator, regimes));
        string Folder(WalkTrial walk) => Path.Combine(output, walk.Regime);
        await CommandRun.RunAsync(console, "remedies", settings, generator, trials, Folder, output, cancellationToken);
        var rows = new List<WalkMetricRecord>();
        foreach (var walk in trials.OfType<WalkTrial>())
        {
            rows.AddRange(await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(Folder(walk), WalkExperiment.MetricsFile), cancellationToken));
        }
        await ParquetFile.WriteAtomicallyAsync(Path.Combine(output, WalkExperiment.MetricsFile), rows, cancellationToken);

        var pooled = rows.Where(r => r.Class == AlphaEvaluator.AllClasses).ToList();
        var table = new Table().Title(Markup.Escape($"{settings.Model} {settings.Transform}: masked L2 on {AlphaEvaluator.L2Scale} images, all classes pooled (no-walk baseline in brackets)"))
            .Border(TableBorder.Simple).AddColumn("alpha");
        foreach (var regime in regimes)
        {
            table.AddColumn(new TableColumn(regime).RightAligned());
        }
        foreach (var alpha in pooled.Select(r => r.Alpha).Distinct().OrderBy(a => a))
        {
            var cells = new List<string> { alpha.ToString("G4") };
            foreach (var regime in regimes)
            {
                var row = pooled.FirstOrDefault(r => r.Regime == regime && r.Alpha == alpha);
                cells.Add(row is null ? "—" : $"{row.L2Mean:F4} ({row.BaselineL2Mean:F4})");
            }
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
        console.WriteLine($"wrote {Path.Combine(output, WalkExperiment.MetricsFile)} ({rows.Count} rows) and each regime's walk under {output}/REGIME/");
        return 0;
    }

    /// <summary>
    /// The sweep spec with the same settings: one model, transform and linear walk, the given regimes, the model's
    /// paper grid, one seed (which seeds the generators too), and the command's budgets, learning rate and share.
    /// `steer remedies` runs exactly the trials this spec expands to, so a sweep with this spec gives the same rows.
    /// </summary>
    public static SweepSpec SweepSpecOf(Settings settings, FamilyDescription generator, IReadOnlyList<string> regimes) =>
        CommandSweep.Of(settings, generator, new CommandRequest("remedies", [settings.Transform], [WalkTypes.Linear.Name], regimes,
            SeedsGenerators: true, LearningRate: settings.LearningRate ?? PostHocLearningRate, AugmentedShare: settings.AugmentedShare));
}
