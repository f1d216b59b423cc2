using Steerability.GpuNode.Contract;
using Steerability.GpuNode.Trials;

namespace Steerability.Coordinator.Sweeps;

/// <summary>A sweep ready to run: its spec, its trials and the folders it writes to.</summary>
/// <param name="SweepId">Identifies the set of trials (a hash of their keys); names the journal's persistence id.</param>
/// <param name="ArtifactDir">The content-addressed store of generator checkpoints, shared by every node.</param>
public sealed record SweepPlan(SweepSpec Spec, IReadOnlyList<TrialSpec> Trials, string SweepDir, string ArtifactDir, string SweepId)
{
    public string LedgerPath => Path.Combine(SweepDir, "ledger.db");
}
