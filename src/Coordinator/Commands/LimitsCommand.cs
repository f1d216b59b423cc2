using Steerability.Experiments.Runtime;
using Steerability.Experiments.Families.Shapes;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Studies;
using Steerability.Experiments.Training;
using Steerability.Experiments.Transforms;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// `steer limits`: how far a walk moves each class's attribute, how much that attribute varies in each class's
/// training data, and the correlation between the two across classes (paper §4.2).
/// </summary>
public sealed class LimitsCommand(IAnsiConsole console) : AsyncCommand<WalkCommand.Settings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, WalkCommand.Settings settings, CancellationToken cancellationToken)
    {
        // The same flags as `steer walk`: the study trains the same walk, then measures attributes instead of errors.
        var spec = WalkCommand.Validate(settings);
        if (!TransformCatalog.Create(spec.Transform).HasAttribute)
        {
            throw new InputException($"--edit: {spec.Transform} has no attribute to measure, so the limits study does not apply; accepted: a built-in edit (--transform), or `steer walk --edit`");
        }
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var device = InputChecks.Device(settings.Device);
        // Dataset variability needs the training data, which only the built-in generators have here.
        var data = GeneratorLoading.IsBuiltIn(settings.Model) ? BuiltInModels.LoadData(settings.Model, settings.Data ?? SteerPaths.FromEnvironment().MnistFolder) : null;
        using var loaded = GeneratorLoading.Load(console, settings, device);
        RunProvenance.Now("steer limits", TrialRunners.Default, $"{settings.Model}: {loaded.Source}", RunProvenance.CheckpointKeyOf(loaded.Source), device.ToString()).Write(output);
        var generator = loaded.Generator;
        var result = await new ProgressDisplay(console).Run($"limits {spec.Transform} {settings.Walk}", report =>
            LimitsExperiment.RunAsync(generator, loaded.ClassNames, data, spec, output,
                new ProgressCallback<ExperimentProgress>(p => report(p.Done, p.Total, p.Phase)), cancellationToken));

        var table = new Table().Title(Markup.Escape($"{settings.Model} {settings.Transform} {settings.Walk}: dataset variability against model limit ({result.Variability[0].Attribute})"))
            .Border(TableBorder.Simple).AddColumns("class", "data std", "data p5", "data p95", "generator std", "model spread", "followed α range");
        foreach (var row in result.Variability)
        {
            table.AddRow(Markup.Escape(row.Class), Shown(row.DataStd), Shown(row.DataP5), Shown(row.DataP95),
                row.GeneratorStd.ToString("G3"), row.ModelSpread.ToString("G3"), $"{row.LowestFollowedAlpha:G3} … {row.HighestFollowedAlpha:G3}");
        }
        console.Write(table);
        var c = result.Correlation;
        console.WriteLine(data is null
            ? "no training data for this generator here: model limits only, no dataset variability or correlation"
            : c.R is null
                ? $"correlation across {c.N} classes: not defined (fewer than three classes, or a side without variance)"
                : $"correlation across {c.N} classes: Pearson r = {c.R:F3} (p = {c.P:G3}), Spearman ρ = {c.Rho:F3}");
        if (ModelCatalog.Get(settings.Model).HasTrueAttributes)
        {
            WriteDetectorCheck(console);
        }
        console.WriteLine($"a step follows the edit when the attribute moves at least {TransformLimit.FollowTolerance:P0} of the edit's change; wrote {output}/{{attributes,variability,correlation}}.parquet");
        return 0;
    }

    /// <summary>How far the foreground detector's measurements lie from the true attributes shapes keeps for each image.</summary>
    private static void WriteDetectorCheck(IAnsiConsole console)
    {
        const int perClass = 100;
        var errors = ShapesAttributeValidation.Validate(new ForegroundMomentsDetector(), perClass, seed: 7);
        var table = new Table().Title($"attribute detector against the shapes truth ({perClass} fresh images per class)")
            .Border(TableBorder.Simple).AddColumns("attribute", "classes", "mean absolute error", "images");
        foreach (var e in errors)
        {
            table.AddRow(Markup.Escape(e.Attribute), Markup.Escape(e.Classes), Markup.Escape($"{e.MeanAbsoluteError:G3} {e.Unit}"), e.Count.ToString());
        }
        console.Write(table);
    }

    private static string Shown(double? value) => value is { } v ? v.ToString("G3") : "—";
}
