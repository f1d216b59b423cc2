using Steerability.Coordinator.Cli;
using Steerability.Experiments.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Reports;
using Steerability.Experiments.Attributes;
using Steerability.GpuNode.Results;
using Steerability.Experiments.Families;
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
        // The same flags as `steer walk`: the study trains the same walk, then measures attributes as well as errors.
        var (generator, request) = WalkCommand.Validate(settings, "limits");
        var family = GeneratorLoading.Family(settings);
        var transform = family.Edit(request.Transforms[0]);
        if (!transform.HasAttribute)
        {
            throw new InputException($"--edit: {transform.Name} has no attribute to measure, so the limits study does not apply; accepted: a built-in edit (--transform), or `steer walk --edit`");
        }
        if (!family.HasTrainingData)
        {
            // The attribute detector measures one object on a plain background; on natural images its numbers mean nothing.
            throw new InputException($"--model: '{settings.Model}' has no training data here, so the limits study (data variability against model limit) does not apply to it; accepted: {string.Join(", ", GeneratorFamilies.All.Where(f => f.HasTrainingData).Select(f => f.Name))}");
        }
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var trials = CommandSweep.Trials(settings, generator, request);
        await CommandRun.RunAsync(console, "limits", settings, generator, trials, _ => output, output, cancellationToken);
        var variability = await ParquetFile.ReadAsync<VariabilityRecord>(Path.Combine(output, LimitsExperiment.VariabilityFile), cancellationToken);
        var correlation = (await ParquetFile.ReadAsync<CorrelationRecord>(Path.Combine(output, LimitsExperiment.CorrelationFile), cancellationToken)).Single();
        var table = new Table().Title(Markup.Escape($"{settings.Model} {transform.Name} {settings.Walk}: dataset variability against model limit ({variability[0].Attribute})"))
            .Border(TableBorder.Simple).AddColumns("class", "data std", "data p5", "data p95", "generator std", "model spread", "followed α range", "note");
        foreach (var row in variability)
        {
            table.AddRow(Markup.Escape(row.Class), Shown(row.DataStd), Shown(row.DataP5), Shown(row.DataP95),
                row.GeneratorStd.ToString("G3"), row.ModelSpread.ToString("G3"), $"{row.LowestFollowedAlpha:G3} … {row.HighestFollowedAlpha:G3}", row.Note is null ? "" : "left out");
        }
        console.Write(table);
        var c = correlation;
        // What the limit measures and on which α, as the correlation row records it.
        console.WriteLine($"limit measured on {c.Attribute} at α = {c.LimitAlphas}{(transform.LimitAlphasReason is { } why ? $" ({why})" : "")}");
        if (c.LeftOut is { } leftOut)
        {
            // The reasons, one line for all, below the table: in a cell they wrapped to a column of fragments.
            console.WriteLine($"left out of the correlation: {leftOut}");
        }
        console.WriteLine(c.R is null
            ? $"correlation across {c.N} classes: not defined (fewer than three classes, or a side without variance)"
            : $"correlation across {c.N} classes: Pearson r = {c.R:F3} (p = {c.P:G3}), Spearman ρ = {c.Rho:F3}");
        if (family.CheckDetector() is { } errors)
        {
            WriteDetectorCheck(console, errors);
        }
        console.WriteLine($"a step follows the edit when the attribute moves at least {TransformLimit.FollowTolerance:P0} of the edit's change; wrote {output}/{{attributes,variability,correlation}}.parquet");
        return 0;
    }

    /// <summary>How far the foreground detector's measurements lie from the true attributes the family's data keeps.</summary>
    private static void WriteDetectorCheck(IAnsiConsole console, IReadOnlyList<AttributeError> errors)
    {
        var table = new Table().Title("attribute detector against the data's truth (fresh images per class)")
            .Border(TableBorder.Simple).AddColumns("attribute", "classes", "mean absolute error", "images");
        foreach (var e in errors)
        {
            table.AddRow(Markup.Escape(e.Attribute), Markup.Escape(e.Classes), Markup.Escape($"{e.MeanAbsoluteError:G3} {e.Unit}"), e.Count.ToString());
        }
        console.Write(table);
    }

    private static string Shown(double? value) => value is { } v ? v.ToString("G3") : "—";
}
