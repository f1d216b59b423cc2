using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Training;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// `steer remedies`: the paper's §4.4 — the walk's masked L2 along α when G is trained plain, on edit-augmented data,
/// or jointly with the walk, side by side on the same held-out latents.
/// </summary>
public sealed class RemediesCommand(IAnsiConsole console) : AsyncCommand<RemediesCommand.Settings>
{
    public sealed class Settings : DeviceSettings
    {
        [CommandOption("--model <MODEL>")]
        [Description("shapes or mnist.")]
        [DefaultValue("mnist")]
        public string Model { get; init; } = "mnist";

        [CommandOption("--transform <T>")]
        [Description("The edit (the paper: rotate2d on mnist; also zoom and shiftx on shapes).")]
        [DefaultValue("rotate2d")]
        public string Transform { get; init; } = "rotate2d";

        [CommandOption("--regimes <LIST>")]
        [Description("Comma-separated: plain, augmented, joint.")]
        [DefaultValue("plain,augmented,joint")]
        public string Regimes { get; init; } = "plain,augmented,joint";

        [CommandOption("--data <PATH>")]
        [Description("MNIST folder (default: $STEER_HOME/data/mnist).")]
        public string? Data { get; init; }

        [CommandOption("--gan-steps <N>")]
        [Description("Generator training steps in every regime (default: the model's recipe).")]
        public int? GanSteps { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Post-hoc walk steps (plain and augmented).")]
        [DefaultValue(400)]
        public int Steps { get; init; } = 400;

        [CommandOption("--batch <B>")]
        [DefaultValue(32)]
        public int Batch { get; init; } = 32;

        [CommandOption("--lr <RATE>")]
        [Description("Walk learning rate (the authors' post-hoc walk: 5e-3).")]
        [DefaultValue(5e-3)]
        public double LearningRate { get; init; } = 5e-3;

        [CommandOption("--augmented-share <SHARE>")]
        [Description("Share of real images edited in the augmented and joint regimes (the paper: 5/6).")]
        [DefaultValue(5.0 / 6.0)]
        public double AugmentedShare { get; init; } = 5.0 / 6.0;

        [CommandOption("--eval-latents <N>")]
        [DefaultValue(256)]
        public int EvaluationLatents { get; init; } = 256;

        [CommandOption("--seed <S>")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--out <DIR>")]
        [Description("Folder for alpha_metrics.parquet (with a regime column).")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        InputChecks.Model(settings.Model);
        InputChecks.Transform(settings.Transform);
        var regimes = settings.Regimes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var regime in regimes)
        {
            if (!RemediesExperiment.Regimes.Contains(regime))
            {
                throw new InputException($"--regimes: '{regime}' is not a regime; accepted: {string.Join(", ", RemediesExperiment.Regimes)}");
            }
        }
        if (regimes.Length == 0)
        {
            throw new InputException("--regimes: empty; accepted: plain, augmented, joint");
        }
        if (settings.GanSteps is { } ganSteps)
        {
            InputChecks.Positive("--gan-steps", ganSteps);
        }
        InputChecks.Positive("--steps", settings.Steps);
        InputChecks.Positive("--batch", settings.Batch);
        InputChecks.Positive("--eval-latents", settings.EvaluationLatents);
        InputChecks.PositiveRate("--lr", settings.LearningRate);
        if (!(settings.AugmentedShare > 0 && settings.AugmentedShare <= 1))
        {
            throw new InputException($"--augmented-share: {settings.AugmentedShare} is not accepted; use a share above 0 and at most 1");
        }
        GeneratorLoading.Validate(new ModelSettings { Model = settings.Model, Data = settings.Data });
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var device = InputChecks.Device(settings.Device);
        var spec = new RemediesSpec(settings.Model, settings.Transform, regimes, settings.GanSteps, settings.Steps, settings.Batch,
            settings.LearningRate, settings.AugmentedShare, settings.EvaluationLatents, settings.Seed);
        var store = new GeneratorStore(SteerPaths.FromEnvironment());
        RunProvenance.Now("steer remedies", TrialRunners.Default, $"{settings.Model} (one generator per regime, in {SteerPaths.FromEnvironment().Home})",
            "per regime (the generator store's checkpoint.json files)", device.ToString()).Write(output);
        var rows = await new ProgressDisplay(console).Run($"remedies {settings.Model} {settings.Transform}", report =>
            RemediesExperiment.RunAsync(store, spec, device, settings.Data, output,
                new ProgressCallback<ExperimentProgress>(p => report(p.Done, p.Total, p.Loss is { } loss ? $"{p.Phase} loss={loss:F4}" : p.Phase)), cancellationToken));

        var pooled = rows.Where(r => r.Class == AlphaEvaluator.AllClasses).ToList();
        var table = new Table().Title(Markup.Escape($"{settings.Model} {settings.Transform}: masked L2 on [0, 1] images, all classes pooled (no-walk baseline in brackets)"))
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
        console.WriteLine($"wrote {Path.Combine(output, WalkExperiment.MetricsFile)} ({rows.Count} rows)");
        return 0;
    }
}
