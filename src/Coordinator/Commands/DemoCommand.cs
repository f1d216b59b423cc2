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
        [Description("Comma-separated transforms (default: all seven).")]
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
        var transforms = (settings.Transforms ?? string.Join(",", TransformCatalog.Names)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var walks = settings.Walks.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var transform in transforms)
        {
            InputChecks.Transform(transform);
        }
        foreach (var walk in walks)
        {
            InputChecks.Walk(walk);
        }
        settings.ValidateBudget();
        GeneratorLoading.Validate(settings);
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var device = InputChecks.Device(settings.Device);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var loaded = GeneratorLoading.Load(console, settings, device);
        RunProvenance.Now("steer demo", TrialRunners.Default, $"{settings.Model}: {loaded.Source}", RunProvenance.CheckpointKeyOf(loaded.Source), device.ToString()).Write(output);
        var imageSize = loaded.Generator.ImageSize;
        var allRows = new List<WalkMetricRecord>();
        var limits = new DemoLimits(settings.Data);
        var summary = new Table().Title("Inner half of the training range: walk error below the no-walk baseline").Border(TableBorder.Simple)
            .AddColumns("transform", "walk", "α in the inner range", "mean reduction", "smallest reduction", "train s", "eval s", "device MiB after");
        foreach (var transform in transforms)
        {
            foreach (var walk in walks)
            {
                var perClass = settings.PerClass && WalkTypes.Get(walk).HasPerClassVectors;
                var spec = new WalkExperimentSpec(settings.Model, transform, walk, [], perClass, settings.Steps, settings.Batch, settings.Seed, settings.EvaluationLatents, LearningRate: settings.LearningRate);
                var label = perClass ? "linear-per-class" : walk;
                var result = await WalkCommand.RunAsync(console, loaded, spec, Path.Combine(output, $"{transform}-{label}"), cancellationToken);
                await limits.MeasureAsync(loaded, spec, Path.Combine(output, $"{transform}-{label}"), cancellationToken);
                // Tensors that escaped a dispose scope are freed by their finalisers: collect so the next walk starts
                // with the device's memory back, and show what is still in use.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var inUse = PeakMemory.DeviceInUse(device);
                var pooled = result.Rows.Where(r => r.Class == AlphaEvaluator.AllClasses).ToList();
                var edit = BuiltInModels.Edit(settings.Model, transform);
                MetricsTable.Write(console, $"{settings.Model} {transform} {label}: masked L2, all classes pooled", pooled);
                allRows.AddRange(result.Rows);
                var inner = pooled.Where(r => r.BaselineL2Mean > 0 && edit.InInnerRange(r.Alpha, imageSize)).ToList();
                var reductions = inner.Select(r => 1 - r.L2Mean / r.BaselineL2Mean).ToList();
                summary.AddRow(transform, label, string.Join(" ", inner.Select(r => r.Alpha.ToString("G3"))),
                    reductions.Count > 0 ? $"{100 * reductions.Average():F0}%" : "—",
                    reductions.Count > 0 ? $"{100 * reductions.Min():F0}%" : "—",
                    result.TrainingTime.TotalSeconds.ToString("F0"), result.EvaluationTime.TotalSeconds.ToString("F0"), inUse is { } mib ? mib.ToString("F0") : "—");
            }
        }
        var combined = Path.Combine(output, WalkExperiment.MetricsFile);
        await ParquetFile.WriteAtomicallyAsync(combined, allRows, cancellationToken);
        await limits.WriteAsync(output, cancellationToken);
        console.Write(summary);
        console.WriteLine($"wrote {combined} ({allRows.Count} rows) and one folder per experiment under {output}; {clock.Elapsed.TotalMinutes:F1} min in all");
        await ReportStep.WriteAsync(console, output, cancellationToken);
        return 0;
    }
}
