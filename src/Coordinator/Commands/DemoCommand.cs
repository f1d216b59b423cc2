using Steerability.Coordinator.Cli;
using Steerability.GpuNode.Contract;
using Steerability.Experiments.Families;
using Steerability.Experiments.Training;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Experiments.Data;
using Steerability.Coordinator.Reports;
using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Results;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// `steer demo`: the embedded default. Trains (or reuses) the shapes generator, then learns and evaluates a
/// linear and a nonlinear walk for every transform; writes each experiment's files under OUT/&lt;transform&gt;-&lt;walk&gt;/
/// and all rows together in OUT/alpha_metrics.parquet.
/// </summary>
public sealed class DemoCommand(IAnsiConsole console) : AsyncCommand<DemoCommand.Settings>
{
    public sealed class Settings : WalkBudgetSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Output folder.")]
        [DefaultValue("results/demo")]
        public string Out { get; init; } = "results/demo";

        [CommandOption("--transforms <LIST>")]
        [Description("Comma-separated transforms (default: every built-in edit).")]
        public string? Transforms { get; init; }

        [CommandOption("--walks <LIST>")]
        [Description("Comma-separated walk types.")]
        [DefaultValue("linear,nonlinear")]
        public string Walks { get; init; } = "linear,nonlinear";

        [CommandOption("--per-class")]
        [Description("Linear walks get one set of walk vectors per class instead of one shared by all (nonlinear walks stay shared).")]
        public bool PerClass { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var transforms = Transforms(settings);
        var walks = Walks(settings);
        foreach (var transform in transforms)
        {
            InputChecks.Transform(transform);
        }
        foreach (var walk in walks)
        {
            InputChecks.Walk(walk);
        }
        settings.ValidateBudget();
        var generator = GeneratorLoading.Describe(settings);
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var device = InputChecks.Device(settings.Device);
        var family = GeneratorLoading.Family(settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ordered = Trials(settings, generator);
        string Folder(WalkTrial walk) => Path.Combine(output, $"{walk.Transform}-{(walk.PerClass ? "linear-per-class" : walk.Walk)}");
        await CommandRun.RunAsync(console, "demo", settings, generator, ordered, Folder, output, cancellationToken);

        var summary = new Table().Title("Inner half of the training range: walk error below the no-walk baseline").Border(TableBorder.Simple)
            .AddColumns("transform", "walk", "α in the inner range", "mean reduction", "smallest reduction");
        var allRows = new List<WalkMetricRecord>();
        var limits = new LimitsTables();
        foreach (var walk in ordered.OfType<WalkTrial>())
        {
            var folder = Folder(walk);
            var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(folder, WalkExperiment.MetricsFile), cancellationToken);
            allRows.AddRange(rows);
            await limits.AddAsync(folder, cancellationToken);
            var label = walk.PerClass ? "linear-per-class" : walk.Walk;
            var pooled = rows.Where(r => r.Class == AlphaEvaluator.AllClasses).ToList();
            var edit = family.Edit(walk.Transform);
            MetricsTable.Write(console, $"{settings.Model} {walk.Transform} {label}: masked L2, all classes pooled", pooled);
            // The headline evaluation (colour: all channels moved equally); the per-channel rows are printed above, not summarised.
            var inner = pooled.Where(r => r.Evaluation == EvaluationMode.EqualName && r.BaselineL2Mean > 0 && edit.InInnerRange(r.Alpha, generator.ImageSize)).ToList();
            var reductions = inner.Select(r => 1 - r.L2Mean / r.BaselineL2Mean).ToList();
            summary.AddRow(walk.Transform, label, string.Join(" ", inner.Select(r => r.Alpha.ToString("G3"))),
                reductions.Count > 0 ? $"{100 * reductions.Average():F0}%" : "—",
                reductions.Count > 0 ? $"{100 * reductions.Min():F0}%" : "—");
        }
        var combined = Path.Combine(output, WalkExperiment.MetricsFile);
        await ParquetFile.WriteAtomicallyAsync(combined, allRows, cancellationToken);
        await limits.WriteAsync(output, cancellationToken);
        console.Write(summary);
        var inUse = PeakMemory.DeviceInUse(device);
        console.WriteLine($"wrote {combined} ({allRows.Count} rows) and one folder per experiment under {output}; {clock.Elapsed.TotalMinutes:F1} min in all{(inUse is { } mib ? $"; device memory in use {mib:F0} MiB" : "")}");
        await ReportStep.WriteAsync(console, output, cancellationToken);
        return 0;
    }

    /// <summary>
    /// The demo's trials: the spec of each walk type (per-class vectors only for the walk types that have them) expanded
    /// as a sweep would, generators first, then the walks in the order the table shows them, transform by transform.
    /// </summary>
    public static IReadOnlyList<TrialSpec> Trials(Settings settings, FamilyDescription generator)
    {
        var transforms = Transforms(settings);
        var walks = Walks(settings);
        var trials = new List<TrialSpec>();
        foreach (var walk in walks)
        {
            var perClass = settings.PerClass && WalkTypes.Get(walk).HasPerClassVectors;
            var request = new CommandRequest("demo", transforms, [walk], [TrainingRegimes.Plain.Name], PerClass: perClass);
            trials.AddRange(CommandSweep.Trials(settings, generator, request).Where(t => !trials.Any(known => known.Key == t.Key)));
        }
        return trials.OfType<GeneratorTrial>().Cast<TrialSpec>()
            .Concat(trials.OfType<WalkTrial>().OrderBy(w => Array.IndexOf(transforms, w.Transform)).ThenBy(w => Array.IndexOf(walks, w.Walk))).ToList();
    }

    private static string[] Transforms(Settings settings) =>
        (settings.Transforms ?? string.Join(",", TransformCatalog.Names)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string[] Walks(Settings settings) => settings.Walks.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
