using Steerability.Coordinator.Cli;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Generators;
using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Families;
using Steerability.GpuNode.Results;
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
        [Description("Output folder: alpha_metrics.parquet, walk_strip.png, walk.safetensors, explorer frames, and where the family's data is here the limits tables (attributes, variability, correlation .parquet), as a sweep's walk trial writes them.")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (generator, request) = Validate(settings, "walk");
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var trials = CommandSweep.Trials(settings, generator, request);
        try
        {
            await CommandRun.RunAsync(console, "walk", settings, generator, trials, _ => output, output, cancellationToken);
        }
        catch (Exception e) when (BenchWalkCommand.IsOutOfMemory(e))
        {
            throw new InputException($"--batch: {settings.Batch} does not fit on {InputChecks.Device(settings.Device)} at {generator.ImageSize}×{generator.ImageSize} ({settings.Model}): out of memory; try a smaller --batch");
        }
        var rows = await ParquetFile.ReadAsync<WalkMetricRecord>(Path.Combine(output, WalkExperiment.MetricsFile), cancellationToken);
        var single = request.ClassLabel != "all" && !request.ClassLabel.Contains(',');
        var shown = rows.Where(r => r.Class == AlphaEvaluator.AllClasses || single).ToList();
        MetricsTable.Write(console, $"{settings.Model} {request.Transforms[0]} {settings.Walk}{(settings.PerClass ? " per-class" : "")}: masked L2 over held-out latents", shown.Count > 0 ? shown : [.. rows]);
        var strip = Path.Combine(output, WalkExperiment.StripFile);
        console.WriteLine($"wrote {Path.Combine(output, WalkExperiment.MetricsFile)} ({rows.Count} rows) and {(File.Exists(strip) ? strip : "no strip (SkiaSharp's native library is missing)")}");
        return 0;
    }

    /// <summary>
    /// Checks every flag and returns the generator and the walk they describe; throws <see cref="InputException"/> on
    /// the first bad one, before anything is written.
    /// </summary>
    public static (FamilyDescription Generator, CommandRequest Request) Validate(Settings settings, string command)
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
        var generator = GeneratorLoading.Describe(settings);
        var classes = InputChecks.Classes(settings.Class, generator.ClassNames);
        InputChecks.WritableFolder("--out", settings.Out);
        InputChecks.Device(settings.Device);
        var label = classes.Count == 0 ? "all" : string.Join(",", classes.Select(c => generator.ClassNames[c]));
        return (generator, new CommandRequest(command, [transform], [settings.Walk], [TrainingRegimes.Plain.Name], label, settings.PerClass));
    }
}
