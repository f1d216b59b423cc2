using System.Text.Json;
using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Perceptual;
using TorchSharp;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Perceptual;

/// <summary>
/// The lpips-tiny-a fixture (tests/fixtures/lpips-tiny-a, made by the reference PerceptualSimilarity code): the random
/// AlexNet trunk, the real v0.1 heads, the reference outputs, and the integer hash that rebuilds the VGG-16 trunk.
/// </summary>
internal static class LpipsFixture
{
    public static readonly string Folder = FixtureDirectory("lpips-tiny-a");

    public static string AlexTrunkPath => Path.Combine(Folder, "alex_features_random.safetensors");

    public static string HeadsPath(LpipsNet net) => Path.Combine(Folder, $"{Name(net)}_lin_v0.1.safetensors");

    /// <summary>The heads file as lpips ships it (lpips/weights/v0.1/NET.pth, a legacy torch.save).</summary>
    public static string ShippedHeadsPath(LpipsNet net) => Path.Combine(Folder, $"{Name(net)}_v0.1.pth");

    public static string ReferencePath(LpipsNet net) => Path.Combine(Folder, $"{Name(net)}_fixtures.safetensors");

    public static string Name(LpipsNet net) => net == LpipsNet.Alex ? "alex" : "vgg";

    /// <summary>The distance the fixture was made with (alex from its file, vgg from the hash), on CPU.</summary>
    public static Lpips Load(LpipsNet net)
    {
        if (net == LpipsNet.Alex)
        {
            return LpipsLoader.Load(net, AlexTrunkPath, HeadsPath(net));
        }
        var trunk = VggTrunk();
        try
        {
            var heads = StateDictFile.Read(HeadsPath(net));
            return LpipsLoader.FromStateDicts(net, trunk, "vgg16 hash trunk", heads, HeadsPath(net));
        }
        finally
        {
            foreach (var tensor in trunk.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>manifest.json's vgg_weight_spec.tensors: key, tensor id, shape, float32 bound and the check values.</summary>
    public static IReadOnlyList<HashTensorSpec> VggSpecs()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        var tensors = document.RootElement.GetProperty("nets").GetProperty("vgg").GetProperty("vgg_weight_spec").GetProperty("tensors");
        return tensors.EnumerateArray().Select(entry => new HashTensorSpec(
            entry.GetProperty("key").GetString()!,
            entry.GetProperty("tid").GetUInt32(),
            entry.GetProperty("shape").EnumerateArray().Select(size => size.GetInt64()).ToArray(),
            BitConverter.UInt32BitsToSingle(Convert.ToUInt32(entry.GetProperty("bound_f32_hex").GetString()!, 16)),
            entry.GetProperty("first4").EnumerateArray().Select(value => value.GetDouble()).ToArray(),
            entry.GetProperty("sum_f64").GetDouble())).ToList();
    }

    /// <summary>The reference distances of manifest.json (spatial off), per pair.</summary>
    public static double[] ManifestDistances(LpipsNet net)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        return document.RootElement.GetProperty("nets").GetProperty(Name(net)).GetProperty("dist").EnumerateArray().Select(value => value.GetDouble()).ToArray();
    }

    /// <summary>The VGG-16 trunk rebuilt from the manifest's hash (every features.{i}.weight and .bias, float32 CPU).</summary>
    public static Dictionary<string, Tensor> VggTrunk() =>
        VggSpecs().ToDictionary(spec => spec.Key, spec => torch.tensor(VggValues.Value[spec.Key], spec.Shape));

    // 14.7 million hashed values, computed once per test run.
    private static readonly Lazy<Dictionary<string, float[]>> VggValues = new(() => VggSpecs().ToDictionary(spec => spec.Key, HashValues));

    /// <summary>
    /// The manifest's formula: element i of tensor tid is a uint32 hash (all operations wrap mod 2^32) turned into
    /// u = (h &gt;&gt; 8)·2^-24·2 − 1 (exact in float32), times the float32 bound in one float32 multiply.
    /// </summary>
    public static float[] HashValues(HashTensorSpec spec)
    {
        var count = spec.Shape.Aggregate(1L, (product, size) => product * size);
        var values = new float[count];
        for (uint index = 0; index < count; index++)
        {
            uint hash = unchecked((index * 0x9E3779B1u) + (spec.TensorId * 0x85EBCA77u));
            hash ^= hash >> 16;
            hash = unchecked(hash * 0x7FEB352Du);
            hash ^= hash >> 15;
            hash = unchecked(hash * 0x846CA68Bu);
            hash ^= hash >> 16;
            var unit = ((float)(hash >> 8) * (1f / 16777216f) * 2f) - 1f;
            values[index] = unit * spec.Bound;
        }
        return values;
    }

    /// <summary>max |actual − expected| and ‖actual − expected‖ / ‖expected‖, as text for the test log.</summary>
    public static (double MaxAbsolute, double Relative) Errors(Tensor actual, Tensor expected)
    {
        using var scope = torch.NewDisposeScope();
        var difference = actual.detach().cpu().to(ScalarType.Float64) - expected.cpu().to(ScalarType.Float64);
        return (difference.abs().max().item<double>(), RelativeError(actual, expected));
    }
}

/// <summary>One hashed VGG-16 tensor of manifest.json.</summary>
internal sealed record HashTensorSpec(string Key, uint TensorId, long[] Shape, float Bound, double[] First4, double SumF64);
