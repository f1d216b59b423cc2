using Steerability.Experiments.Generators;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer walk`: learns one walk on a built-in generator, evaluates it along α, writes alpha_metrics.parquet and a strip.</summary>
public sealed class WalkCommand(IAnsiConsole console) : AsyncCommand<WalkCommand.Settings>
{
    public sealed class Settings : WalkBudgetSettings
    {
        [CommandOption("--transform <T>")]
        [Description("A built-in edit: zoom, shiftx, shifty, brightness, color, rotate2d, rotate3d or contrast.")]
        public string Transform { get; init; } = "";

        [CommandOption("--edit <FILE>")]
        [Description("Instead of --transform: your own edit, a TorchScript file defining edit(images, alpha) -> (edited, mask), with FILE's name and .json beside it (α range, grid, scaling).")]
        public string? Edit { get; init; }

        [CommandOption("--walk <W>")]
        [Description("linear or nonlinear.")]
        [DefaultValue("linear")]
        public string Walk { get; init; } = "linear";

        [CommandOption("--class <C>")]
        [Description("all, a class name or index, or a comma-separated list.")]
        [DefaultValue("all")]
        public string Class { get; init; } = "all";

        [CommandOption("--per-class")]
        [Description("Linear walk only: one set of walk vectors per class instead of one shared by all classes.")]
        public bool PerClass { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder: walk writes alpha_metrics.parquet, walk_strip.png, walk.safetensors; limits writes attributes, variability and correlation .parquet.")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var spec = Validate(settings);
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var device = InputChecks.Device(settings.Device);
        using var loaded = GeneratorLoading.Load(console, settings, device);
        RunProvenance.Now("steer walk", TrialRunners.Default, $"{settings.Model}: {loaded.Source}", RunProvenance.CheckpointKeyOf(loaded.Source), device.ToString()).Write(output);
        WalkExperimentResult result;
        try
        {
            result = await RunAsync(console, loaded, spec, output, cancellationToken);
        }
        catch (Exception e) when (BenchWalkCommand.IsOutOfMemory(e))
        {
            throw new InputException($"--batch: {settings.Batch} does not fit on {device} at {loaded.Generator.ImageSize}×{loaded.Generator.ImageSize} ({loaded.Generator.Name}): out of memory; try a smaller --batch");
        }
        var shown = result.Rows.Where(r => r.Class == AlphaEvaluator.AllClasses || spec.Classes.Count == 1).ToList();
        MetricsTable.Write(console, $"{settings.Model} {spec.Transform} {settings.Walk}{(settings.PerClass ? " per-class" : "")}: masked L2 over held-out latents", shown.Count > 0 ? shown : result.Rows);
        console.WriteLine($"wrote {result.MetricsPath} ({result.Rows.Count} rows) and {result.StripPath ?? "no strip (SkiaSharp's native library is missing)"}; training {result.TrainingTime.TotalSeconds:F1} s, evaluation {result.EvaluationTime.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>Checks every flag and returns the experiment they describe; throws <see cref="InputException"/> on the first bad one.</summary>
    public static WalkExperimentSpec Validate(Settings settings)
    {
        var transform = settings.Transform;
        if (settings.Edit is { } file)
        {
            if (transform.Length > 0)
            {
                throw new InputException($"--edit: given with --transform {transform}; accepted: one of --transform or --edit");
            }
            try
            {
                // Compiled and probed now, so a broken file stops here, before anything is written.
                transform = UserEdits.Register(UserEdits.LoadFile(file));
            }
            catch (EditFileException e)
            {
                throw new InputException($"--edit: {e.Message}");
            }
        }
        if (string.IsNullOrEmpty(transform))
        {
            throw new InputException($"--transform: missing; accepted: {string.Join(", ", TransformCatalog.Names)}, or --edit FILE");
        }
        InputChecks.Transform(transform);
        InputChecks.Walk(settings.Walk);
        if (settings.PerClass && !WalkTypes.Get(settings.Walk).HasPerClassVectors)
        {
            var perClassWalks = string.Join(", ", WalkTypes.All.Where(w => w.HasPerClassVectors).Select(w => w.Name));
            throw new InputException($"--per-class: the {settings.Walk} walk has no per-class vectors; drop --per-class or use --walk {perClassWalks}");
        }
        settings.ValidateBudget();
        var classNames = GeneratorLoading.Validate(settings);
        var classes = InputChecks.Classes(settings.Class, classNames);
        InputChecks.WritableFolder("--out", settings.Out);
        InputChecks.Device(settings.Device);
        return new WalkExperimentSpec(settings.Model, transform, settings.Walk, classes, settings.PerClass,
            settings.Steps, settings.Batch, settings.Seed, settings.EvaluationLatents, LearningRate: settings.LearningRate);
    }

    /// <summary>Runs one walk experiment with progress shown.</summary>
    public static Task<WalkExperimentResult> RunAsync(IAnsiConsole console, LoadedGenerator loaded, WalkExperimentSpec spec, string output, CancellationToken cancel)
    {
        return new ProgressDisplay(console).Run($"{spec.Transform} {spec.Walk}", report =>
            WalkExperiment.RunAsync(loaded.Generator, loaded.ClassNames, spec, output,
                new ProgressCallback<ExperimentProgress>(p => report(p.Done, p.Total, p.Loss is { } loss ? $"{p.Phase} loss={loss:F4}" : p.Phase)), cancel));
    }
}
