using Spectre.Console;
using Spectre.Console.Cli;
using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Commands;

/// <summary>`steer compact DIR`: merges each partition's small files into one.</summary>
public sealed class CompactCommand(IAnsiConsole console) : AsyncCommand<SweepDirSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SweepDirSettings settings, CancellationToken ct)
    {
        var sweepDir = SweepFolder.Resolve(settings.Dir);
        // Compaction rewrites manifests and removes files: never while a coordinator publishes into the folder.
        using var sweepLock = SweepLock.Acquire(sweepDir, "compact");
        var report = await Compactor.CompactAsync(sweepDir, ct);
        console.WriteLine($"compacted {report.FilesMerged} files into {report.Partitions} in {sweepDir}");
        return 0;
    }
}
