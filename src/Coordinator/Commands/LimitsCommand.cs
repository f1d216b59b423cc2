using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using Steerability.Experiments.Training;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// `steer limits`: how far a walk moves each class's attribute, how much that attribute varies in each class's
/// training data, and the correlation between the two across classes (paper §4.2).
/// </summary>
public sealed class LimitsCommand(IAnsiConsole console) : AsyncCommand<LimitsCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--transform <T>")]
        [Description("zoom, shiftx, shifty, brightness, color, rotate2d or rotate3d.")]
        public string Transform { get; init; } = "";

        [CommandOption("--walk <W>")]
        [Description("linear or nonlinear.")]
        [DefaultValue("linear")]
        public string Walk { get; init; } = "linear";

        [CommandOption("--class <C>")]
        [Description("all, a class name or index, or a comma-separated list.")]
        [DefaultValue("all")]
        public string Class { get; init; } = "all";

        [CommandOption("--per-class")]
        [Description("Linear walk only: one set of walk vectors per class.")]
        public bool PerClass { get; init; }

        [CommandOption("--steps <N>")]
        [DefaultValue(400)]
        public int Steps { get; init; } = 400;

        [CommandOption("--batch <B>")]
        [DefaultValue(32)]
        public int Batch { get; init; } = 32;

        [CommandOption("--lr <RATE>")]
        [Description("Adam learning rate of the walk (default: 0.1; brightness and color 0.05).")]
        public double? LearningRate { get; init; }

        [CommandOption("--seed <S>")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--eval-latents <N>")]
        [Description("Latents per class whose attribute is measured at each α.")]
        [DefaultValue(128)]
        public int EvaluationLatents { get; init; } = 128;

        [CommandOption("--out <DIR>")]
        [Description("Folder for attributes.parquet, variability.parquet and correlation.parquet.")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(settings.Transform))
        {
            throw new InputException($"--transform: missing; accepted: {string.Join(", ", Steerability.Experiments.Transforms.TransformCatalog.Names)}");
        }
        InputChecks.Transform(settings.Transform);
        InputChecks.Walk(settings.Walk);
        if (settings.PerClass && settings.Walk != "linear")
        {
            throw new InputException("--per-class: only the linear walk has per-class vectors; drop --per-class or use --walk linear");
        }
        InputChecks.Positive("--steps", settings.Steps);
        InputChecks.Positive("--batch", settings.Batch);
        InputChecks.Positive("--eval-latents", settings.EvaluationLatents);
        InputChecks.PositiveRate("--lr", settings.LearningRate);
        var classNames = GeneratorLoading.Validate(settings);
        var classes = InputChecks.Classes(settings.Class, classNames);
        var output = InputChecks.WritableFolder("--out", settings.Out);
        var device = InputChecks.Device(settings.Device);
        // Dataset variability needs the training data, which only the built-in generators have here.
        var data = GeneratorLoading.IsBuiltIn(settings.Model) ? BuiltInModels.LoadData(settings.Model, settings.Data ?? SteerPaths.FromEnvironment().MnistFolder) : null;
        using var loaded = GeneratorLoading.Load(console, settings, device);
        var generator = loaded.Generator;
        var spec = new WalkExperimentSpec(settings.Model, settings.Transform, settings.Walk, classes, settings.PerClass, settings.Steps, settings.Batch,
            settings.Seed, settings.EvaluationLatents, LearningRate: settings.LearningRate);
        var result = await new ProgressDisplay(console).Run($"limits {settings.Transform} {settings.Walk}", report =>
            LimitsExperiment.RunAsync(generator, loaded.ClassNames, data, spec, output,
                new ProgressCallback<ExperimentProgress>(p => report(p.Done, p.Total, p.Phase)), cancellationToken));

        var table = new Table().Title(Markup.Escape($"{settings.Model} {settings.Transform} {settings.Walk}: dataset variability against model limit ({result.Variability[0].Attribute})"))
            .Border(TableBorder.Simple).AddColumns("class", "data std", "data p5", "data p95", "model spread", "followed α range");
        foreach (var row in result.Variability)
        {
            table.AddRow(Markup.Escape(row.Class), row.DataStd.ToString("G3"), row.DataP5.ToString("G3"), row.DataP95.ToString("G3"),
                row.ModelSpread.ToString("G3"), $"{row.LowestFollowedAlpha:G3} … {row.HighestFollowedAlpha:G3}");
        }
        console.Write(table);
        var c = result.Correlation;
        console.WriteLine(data is null
            ? "no training data for this generator here: model limits only, no dataset variability or correlation"
            : $"correlation across {c.N} classes: Pearson r = {c.R:F3} (p = {c.P:G3}), Spearman ρ = {c.Rho:F3}");
        console.WriteLine($"a step follows the edit when the attribute moves at least {TransformLimit.FollowTolerance:P0} of the edit's change; wrote {output}/{{attributes,variability,correlation}}.parquet");
        return 0;
    }
}
