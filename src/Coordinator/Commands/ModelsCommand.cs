using System.ComponentModel;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Experiments.Families;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;

namespace Steerability.Coordinator.Commands;

/// <summary>
/// `steer models`: every generator family with its settings (the flags and spec keys it takes) and every built-in edit
/// with its default walk learning rates, read from the registries; `--markdown` prints the tables docs/commands.md holds.
/// </summary>
public sealed class ModelsCommand(IAnsiConsole console) : Command<ModelsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--markdown")]
        [Description("Print the tables as Markdown (as in docs/commands.md).")]
        public bool Markdown { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Markdown)
        {
            console.Profile.Width = int.MaxValue / 2;
            console.WriteLine(Markdown());
            return 0;
        }
        var families = new Table().Title("generator families (--model)").Border(TableBorder.Simple).AddColumns("model", "what it is", "settings", "in sweeps");
        foreach (var family in GeneratorFamilies.All)
        {
            families.AddRow(Markup.Escape(family.Name), Markup.Escape(family.Summary),
                Markup.Escape(string.Join("\n", family.Settings.Select(s => $"{s.Flag} {s.ValueName}: {s.Help}"))), family.RunsInSweeps ? "yes" : "no");
        }
        console.Write(families);
        var edits = new Table().Title("built-in edits (--transform) and their default walk learning rates (families trained here; a pretrained family may carry the authors', see --help)").Border(TableBorder.Simple)
            .AddColumns(["edit", "α units", .. WalkTypes.Names.Select(w => $"{w} lr"), "attribute"]);
        foreach (var row in EditRows())
        {
            edits.AddRow(row.Select(Markup.Escape).ToArray());
        }
        console.Write(edits);
        return 0;
    }

    private static IEnumerable<string[]> EditRows() =>
        TransformCatalog.Names.Select(TransformCatalog.Create).Select(edit => (string[])
            [edit.Name, edit.AlphaUnits, .. WalkTypes.Names.Select(w => WalkLearningRate.Default(edit, w, WalkSettings.Project).ToString("G3", CultureInfo.InvariantCulture)), edit.AttributeName]);

    /// <summary>The two tables as Markdown, generated from the registries (docs/commands.md holds this text; a test keeps it so).</summary>
    public static string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| model | what it is | settings (flag; spec key under `pretrained.MODEL`) | in sweeps |");
        text.AppendLine("|---|---|---|---|");
        foreach (var family in GeneratorFamilies.All)
        {
            var settings = string.Join("<br>", family.Settings.Select(s => $"`{s.Flag} {s.ValueName}`{(s.InSweeps ? $" (`{s.SpecKey}`)" : "")}: {s.Help}"));
            text.AppendLine($"| `{family.Name}` | {family.Summary} | {settings} | {(family.RunsInSweeps ? "yes" : "no")} |");
        }
        text.AppendLine();
        text.AppendLine($"| edit | α units | {string.Join(" | ", WalkTypes.Names.Select(w => $"{w} lr"))} | attribute |");
        text.AppendLine($"|---|---|{string.Concat(WalkTypes.Names.Select(_ => "---|"))}---|");
        foreach (var row in EditRows())
        {
            text.AppendLine($"| `{row[0]}` | {string.Join(" | ", row.Skip(1))} |");
        }
        return text.ToString().TrimEnd();
    }
}
