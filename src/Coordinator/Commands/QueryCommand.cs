using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer query DIR "SQL"`: DuckDB over the sweep's tables, each a view named after its table.</summary>
public sealed class QueryCommand(IAnsiConsole console) : AsyncCommand<QueryCommand.Settings>
{
    public sealed class Settings : SweepDirSettings
    {
        [CommandArgument(1, "<SQL>")]
        [Description("DuckDB SQL; the views are the sweep's tables: alpha_metrics, trials, ...")]
        public string Sql { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var result = await SweepQuery.RunAsync(TablesFolder(settings.Dir), settings.Sql, ct);
        Print(console, result);
        return 0;
    }

    /// <summary>A sweep folder, or any folder with Parquet tables at its top (what `walk`, `limits`, `remedies` and `demo` write).</summary>
    private static string TablesFolder(string dir)
    {
        var full = Path.GetFullPath(dir);
        if (Directory.Exists(full) && !File.Exists(Path.Combine(full, SweepFolder.MarkerName)) && Directory.EnumerateFiles(full, "*.parquet").Any())
        {
            return full;
        }
        return SweepFolder.Resolve(dir);
    }

    /// <summary>A table on a terminal; tab-separated lines with a header otherwise (for scripts).</summary>
    internal static void Print(IAnsiConsole console, QueryResult result)
    {
        static string Text(object? value) => value switch
        {
            null => "",
            double d => d.ToString("G6", CultureInfo.InvariantCulture),
            float f => f.ToString("G6", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        if (!console.Profile.Capabilities.Interactive)
        {
            console.WriteLine(string.Join('\t', result.Columns));
            foreach (var row in result.Rows)
            {
                console.WriteLine(string.Join('\t', row.Select(Text)));
            }
            return;
        }
        var table = new Table();
        foreach (var column in result.Columns)
        {
            table.AddColumn(Markup.Escape(column));
        }
        foreach (var row in result.Rows)
        {
            table.AddRow(row.Select(v => Markup.Escape(Text(v))).ToArray());
        }
        console.Write(table);
    }
}
