using Steerability.Coordinator.Commands;
using Steerability.Coordinator.Sweeps;
using Steerability.GpuNode.Contract;
using Spectre.Console;
using Steerability.Coordinator.Reports;
using Steerability.Experiments.Families;
using Steerability.Experiments.Runtime;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Cli;

/// <summary>How `walk`, `limits`, `demo` and `remedies` run their trials: with progress shown, then their provenance written.</summary>
public static class CommandRun
{
    /// <summary>
    /// Runs <paramref name="trials"/> locally, each walk into the folder <paramref name="outputFolder"/> gives it, and
    /// writes what made them into <paramref name="provenanceFolder"/> once they all succeeded.
    /// </summary>
    public static async Task RunAsync(IAnsiConsole console, string command, WalkBudgetSettings settings, FamilyDescription generator,
        IReadOnlyList<TrialSpec> trials, Func<WalkTrial, string> outputFolder, string provenanceFolder, CancellationToken cancel)
    {
        var paths = SteerPaths.FromEnvironment();
        var device = InputChecks.Device(settings.Device);
        var local = new LocalTrials(paths, settings.Device);
        await new ProgressDisplay(console).Run($"{command} {settings.Model}", report => local.RunAsync(trials, outputFolder, report, cancel));
        var stored = trials.OfType<GeneratorTrial>().Select(new WalkTrialRunner(paths).StoreFolder).ToList();
        var source = stored.FirstOrDefault()
            ?? generator.Resolved.Text(TrainedHereFamily.CheckpointSetting.Name)
            ?? string.Join(" ", generator.Resolved.Given.Select(p => $"--{p.Key} {p.Value}"));
        foreach (var folder in stored)
        {
            console.WriteLine($"generator: {folder}");
        }
        RunProvenance.Now($"steer {command}", TrialRunners.Default, $"{settings.Model}: {source}", RunProvenance.CheckpointKeyOf(source), device.ToString()).Write(provenanceFolder);
    }
}
