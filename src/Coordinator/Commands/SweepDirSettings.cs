using System.ComponentModel;
using Spectre.Console.Cli;

namespace Steerability.Coordinator.Commands;

/// <summary>A command that takes a sweep folder.</summary>
public class SweepDirSettings : CommandSettings
{
    [CommandArgument(0, "<DIR>")]
    [Description("A sweep folder (results/<sweep>) or the --out folder holding it")]
    public string Dir { get; init; } = "";
}
