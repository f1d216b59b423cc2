using Spectre.Console;
using Steerability.Coordinator.Reports;

namespace Steerability.Coordinator.Cli;

/// <summary>The last step of `steer run`, `steer coordinator` and `steer demo`: write the folder's report and print its path.</summary>
public static class ReportStep
{
    /// <summary>
    /// Writes DIR/report/index.html and prints `report: PATH`. A report that cannot be written is one line: the
    /// results stand, and `steer report DIR` can write it again.
    /// </summary>
    public static async Task WriteAsync(IAnsiConsole console, string folder, CancellationToken ct)
    {
        try
        {
            var index = ReportWriter.Write(await ReportDataLoader.LoadAsync(folder, folder, ct), ct);
            console.WriteLine($"report: {index}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InputException)
        {
            console.WriteLine($"report: not written ({e.Message.ReplaceLineEndings(" ")}); run `steer report {folder}` to retry");
        }
    }
}
