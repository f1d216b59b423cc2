using Spectre.Console;

namespace Steerability.Coordinator.Cli;

/// <summary>
/// Shows progress of long work: a live bar on an interactive terminal, otherwise plain lines at every tenth of
/// the way (so logs and CI output stay readable).
/// </summary>
public sealed class ProgressDisplay(IAnsiConsole console)
{
    /// <summary>Runs <paramref name="work"/>, which reports (done, total, detail) through the given callback.</summary>
    public T Run<T>(string description, Func<Action<int, int, string>, T> work)
    {
        if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
        {
            T result = default!;
            console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(description));
                    result = work((done, total, detail) =>
                    {
                        task.MaxValue = Math.Max(1, total);
                        task.Value = done;
                        task.Description = Markup.Escape(detail.Length > 0 ? $"{description} {detail}" : description);
                    });
                });
            return result;
        }
        var lastTenth = -1;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        return work((done, total, detail) =>
        {
            var tenth = total <= 0 ? 10 : (int)(10L * done / total);
            if (tenth != lastTenth)
            {
                lastTenth = tenth;
                console.WriteLine($"{description}: {done}/{total} {detail} ({clock.Elapsed.TotalSeconds:F0} s)".TrimEnd());
            }
        });
    }
}
