using System.Text;
using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Steerability.GpuNode.Contract;

/// <summary>
/// JSON with short, explicit manifests (`lease.v1`) instead of CLR type names, so that renaming or moving a type
/// does not break a journal or a mixed-version cluster: the manifest table is the compatibility contract.
/// </summary>
public abstract class ManifestJsonSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private Dictionary<string, Type>? _typesByManifest;

    /// <summary>Every type this serializer handles, with its manifest. Never reuse a manifest for another shape.</summary>
    protected abstract IReadOnlyDictionary<Type, string> Manifests { get; }

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{GetType().Name} has no manifest for {o.GetType()}");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        _typesByManifest ??= Manifests.ToDictionary(pair => pair.Value, pair => pair.Key);
        if (!_typesByManifest.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"{GetType().Name}: unknown manifest '{manifest}' ({Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(80, bytes.Length)))})");
        }
        return JsonSerializer.Deserialize(bytes, type, Options)
            ?? throw new SerializationException($"{GetType().Name}: empty payload for '{manifest}'");
    }
}

/// <summary>Serializes the coordinator–worker protocol (<see cref="ISweepMessage"/>).</summary>
public sealed class SweepMessageSerializer(ExtendedActorSystem system) : ManifestJsonSerializer(system)
{
    public override int Identifier => 4101;

    private static readonly Dictionary<Type, string> Table = new()
    {
        [typeof(WorkRequest)] = "work-request.v1",
        [typeof(TrialLease)] = "lease.v1",
        [typeof(NoWorkYet)] = "no-work.v1",
        [typeof(SweepComplete)] = "complete.v1",
        [typeof(TrialHeartbeat)] = "heartbeat.v1",
        [typeof(LeaseRevoked)] = "revoked.v1",
        [typeof(TrialFinished)] = "finished.v1",
        [typeof(TrialFinishedAck)] = "finished-ack.v1",
        [typeof(WorkRefused)] = "work-refused.v1",
    };

    protected override IReadOnlyDictionary<Type, string> Manifests => Table;

    /// <summary>HOCON that registers this serializer for the protocol; part of every sweep actor system's config.</summary>
    public const string Hocon = """
        akka.actor.serializers.steer-protocol = "Steerability.GpuNode.Contract.SweepMessageSerializer, Steerability.GpuNode"
        akka.actor.serialization-bindings."Steerability.GpuNode.Contract.ISweepMessage, Steerability.GpuNode" = steer-protocol
        akka.actor.serialization-identifiers."Steerability.GpuNode.Contract.SweepMessageSerializer, Steerability.GpuNode" = 4101
        """;
}
