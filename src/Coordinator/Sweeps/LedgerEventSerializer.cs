using Steerability.GpuNode.Contract;
using Akka.Actor;

namespace Steerability.Coordinator.Sweeps;

/// <summary>Serializes journal events with explicit manifests, so a journal outlives renames of the CLR types.</summary>
public sealed class LedgerEventSerializer(ExtendedActorSystem system) : ManifestJsonSerializer(system)
{
    public override int Identifier => 4102;

    private static readonly Dictionary<Type, string> Table = new()
    {
        [typeof(TrialLeased)] = "leased.v1",
        [typeof(TrialSucceeded)] = "succeeded.v1",
        [typeof(TrialAttemptFailed)] = "attempt-failed.v1",
        [typeof(TrialBlocked)] = "blocked.v1",
        [typeof(TrialReset)] = "reset.v1",
        [typeof(TrialFilesRemoved)] = "files-removed.v1",
        [typeof(SweepAborted)] = "aborted.v1",
    };

    protected override IReadOnlyDictionary<Type, string> Manifests => Table;

    public const string Hocon = """
        akka.actor.serializers.steer-ledger = "Steerability.Coordinator.Sweeps.LedgerEventSerializer, steer"
        akka.actor.serialization-bindings."Steerability.Coordinator.Sweeps.ILedgerEvent, steer" = steer-ledger
        akka.actor.serialization-identifiers."Steerability.Coordinator.Sweeps.LedgerEventSerializer, steer" = 4102
        """;
}
