namespace Steerability.GpuNode.Results;

/// <summary>
/// The trial and runner every row of a sweep's table names, written as its first two columns (`trial_key`, `runner`)
/// when the runner writes the table: publication then only moves the file into place. A command's output (`steer walk`,
/// `steer demo`, ...) has no trial and no such columns.
/// </summary>
/// <param name="Runner">The runner that made the row (`walk`, `synthetic`, `nowork`): synthetic rows never pass for real ones.</param>
public sealed record RowOrigin(string TrialKey, string Runner)
{
    public const string TrialKeyColumn = "trial_key";

    public const string RunnerColumn = "runner";
}
