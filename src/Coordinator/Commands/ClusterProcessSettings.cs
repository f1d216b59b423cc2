using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Commands;

/// <summary>Flags of every command that starts a sweep's actor system (run, coordinator, node): its settings file and trial runner.</summary>
public class ClusterProcessSettings : CommandSettings
{
    [CommandOption("--runner <NAME>")]
    [Description("Trial runner: walk (default: trains generators and walks), synthetic (small real tables, no training) or nowork")]
    public string Runner { get; init; } = TrialRunners.Default;

    [CommandOption("--config <FILE>")]
    [Description("Cluster settings (default: ./cluster.hocon, else built-in defaults)")]
    public string? Config { get; init; }

    public override ValidationResult Validate() =>
        TrialRunners.Names.Contains(Runner)
            ? ValidationResult.Success()
            : ValidationResult.Error($"--runner: '{Runner}' is not a trial runner; accepted: {string.Join(", ", TrialRunners.Names)}");
}
