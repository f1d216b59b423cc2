using Steerability.Coordinator.Results;
using Steerability.Coordinator.Sweeps;

namespace Steerability.Coordinator.Cli;

/// <summary>
/// What `steer run` and `steer coordinator` do before their coordinator starts, in one place: hold the sweep folder's
/// lock, refuse a damaged ledger, finish a compaction a kill left midway, then create or reuse the folder.
/// </summary>
public static class SweepFolderOpening
{
    /// <returns>The lock, held until the caller disposes it (when the command ends).</returns>
    public static SweepLock Open(SweepPlan plan, bool newSweep, string command)
    {
        var sweepLock = SweepLock.Acquire(plan.SweepDir, command);
        try
        {
            if (!newSweep)
            {
                LedgerFile.Check(plan.LedgerPath);
                if (Directory.Exists(plan.SweepDir))
                {
                    Compactor.Recover(plan.SweepDir); // a compaction killed midway is finished before results are checked
                }
            }
            SweepFolder.Create(plan, newSweep);
            return sweepLock;
        }
        catch
        {
            sweepLock.Dispose();
            throw;
        }
    }
}
