using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>Flags shared by the commands that coordinate a sweep (with the runner and settings file of every cluster process).</summary>
public class SweepRunSettings : ClusterProcessSettings
{
    [CommandArgument(0, "<SPEC>")]
    [Description("Sweep spec (YAML), e.g. experiments/quickstart.yaml")]
    public string Spec { get; init; } = "";

    [CommandOption("--out <DIR>")]
    [Description("Folder for sweeps; the sweep goes to DIR/<sweep name> (default: results)")]
    public string Out { get; init; } = "results";

    [CommandOption("--new-sweep")]
    [Description("Start over when the spec's trials differ from the sweep in the folder (the old folder is kept aside)")]
    public bool NewSweep { get; init; }

    [CommandOption("--max-retries <N>")]
    [Description("Attempts after the first before a trial fails for good (default: cluster.hocon, 2)")]
    public int? MaxRetries { get; init; }

    [CommandOption("--fail-fast")]
    [Description("Stop leasing new trials once one has failed for good (running ones finish)")]
    public bool FailFast { get; init; }

    public override ValidationResult Validate()
    {
        if (MaxRetries is < 0)
        {
            return ValidationResult.Error($"--max-retries: '{MaxRetries}' is negative; accepted: 0, 1, 2, ...");
        }
        return base.Validate();
    }
}
