using Steerability.GpuNode.Contract;

namespace Steerability.GpuNode.Trials;

/// <summary>A runner that does nothing and writes nothing: measures the orchestration itself (benchmark, tests).</summary>
public sealed class NoWorkTrialRunner : ITrialRunner
{
    public string Name => "nowork";

    /// <summary>Nothing to publish: the benchmark measures the coordinator, journal and messages, not file work.</summary>
    public bool WritesFiles => false;

    public Task<TrialOutcome> RunAsync(TrialSpec trial, TrialContext context, CancellationToken ct) =>
        Task.FromResult(new TrialOutcome());
}
