using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Perceptual;
using TorchSharp;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Perceptual.LpipsFixture;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Perceptual;

/// <summary>LPIPS v0.1 in TorchSharp against the reference PerceptualSimilarity code on the lpips-tiny-a fixture.</summary>
public sealed class LpipsParityTests
{
    private const double Tolerance = 1e-4;
    private readonly ITestOutputHelper _output;

    public LpipsParityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData(LpipsNet.Alex, false)]
    [InlineData(LpipsNet.Alex, true)]
    [InlineData(LpipsNet.Vgg16, false)]
    [InlineData(LpipsNet.Vgg16, true)]
    public void LpipsDistanceAndLayersMatchTheReference(LpipsNet net, bool spatial)
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(net));
        using var lpips = Load(net);

        var result = lpips.Evaluate(reference["in0"], reference["in1"], spatial);

        var suffix = spatial ? "_spatial" : "";
        AssertClose($"{Name(net)} dist{suffix}", result.Total, reference["dist" + suffix]);
        for (var layer = 0; layer < lpips.LayerCount; layer++)
        {
            AssertClose($"{Name(net)} per_layer{suffix}.{layer}", result.PerLayer[layer], reference[$"per_layer{suffix}.{layer}"]);
        }
    }

    [Theory]
    [InlineData(LpipsNet.Alex)]
    [InlineData(LpipsNet.Vgg16)]
    public void LpipsInputGradientMatchesTheReference(LpipsNet net)
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(net));
        using var lpips = Load(net);
        var images0 = reference["in0"].clone().requires_grad_(true);

        lpips.Distance(images0, reference["in1"]).sum().backward();

        AssertClose($"{Name(net)} grad_in0", images0.grad!, reference["grad_in0"]);
        // The identical pair (row 3) has exactly zero gradient, and the frozen weights get none at all.
        Assert.Equal(0.0, images0.grad![3].abs().max().item<float>());
        Assert.All(lpips.parameters(), parameter => Assert.True(parameter.grad is null, "a frozen LPIPS weight received a gradient"));
        Assert.All(lpips.parameters(), parameter => Assert.False(parameter.requires_grad));
    }

    [Theory]
    [InlineData(LpipsNet.Alex)]
    [InlineData(LpipsNet.Vgg16)]
    public void LpipsIdenticalPairIsExactlyZero(LpipsNet net)
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(net));
        using var lpips = Load(net);
        Assert.True(reference["in0"][3].allclose(reference["in1"][3], rtol: 0, atol: 0), "fixture row 3 should be an identical pair");

        var distance = lpips.Distance(reference["in0"], reference["in1"]);                  // [4]
        var map = lpips.Evaluate(reference["in0"], reference["in1"], spatial: true).Total;   // [4, 1, 64, 64]

        Assert.Equal(0f, distance[3].item<float>());
        Assert.Equal(0f, map[3].abs().max().item<float>());
        Assert.All(Enumerable.Range(0, 3), row => Assert.True(distance[row].item<float>() > 0, $"pair {row} should differ"));
        var expected = ManifestDistances(net);
        _output.WriteLine($"{Name(net)} distances {string.Join(", ", Enumerable.Range(0, 4).Select(row => distance[row].item<float>().ToString("G6")))}; " +
            $"manifest {string.Join(", ", expected.Select(value => value.ToString("G6")))}");
        for (var row = 0; row < 4; row++)
        {
            Assert.Equal(expected[row], distance[row].item<float>(), Math.Max(Math.Abs(expected[row]) * Tolerance, 1e-9));
        }
    }

    [Theory]
    [InlineData(LpipsNet.Alex)]
    [InlineData(LpipsNet.Vgg16)]
    public void LpipsTrunkFeaturesMatchTheReference(LpipsNet net)
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(net));
        using var lpips = Load(net);

        var features = lpips.Features(reference["in0"]);

        // The fixture keeps every alex layer and vgg's layers 2 to 4 (the others would make the file large).
        var stored = Enumerable.Range(0, lpips.LayerCount).Where(layer => reference.ContainsKey($"feat0.{layer}")).ToList();
        Assert.Equal(net == LpipsNet.Alex ? 5 : 3, stored.Count);
        foreach (var layer in stored)
        {
            AssertClose($"{Name(net)} feat0.{layer}", features[layer], reference[$"feat0.{layer}"]);
            AssertClose($"{Name(net)} feat0_normalized.{layer}", Lpips.NormaliseChannels(features[layer]), reference[$"feat0_normalized.{layer}"]);
        }
    }

    [Fact]
    public void LpipsVggHashRebuildsTheManifestCheckValues()
    {
        var specs = VggSpecs();
        var convolutionIndices = new[] { 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28 };

        Assert.Equal(26, specs.Count);
        foreach (var spec in specs)
        {
            var values = HashValues(spec);
            // The bound is float32(sqrt(6 / fan_in)) for weights and float32(1 / sqrt(fan_in)) for biases.
            var fanIn = specs.Single(other => other.Key == spec.Key.Replace(".bias", ".weight")).Shape.Skip(1).Aggregate(1L, (product, size) => product * size);
            var bound = spec.Key.EndsWith(".weight", StringComparison.Ordinal) ? (float)Math.Sqrt(6.0 / fanIn) : (float)(1 / Math.Sqrt(fanIn));
            Assert.Equal(BitConverter.SingleToUInt32Bits(bound), BitConverter.SingleToUInt32Bits(spec.Bound));
            var layer = int.Parse(spec.Key.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(2 * Array.IndexOf(convolutionIndices, layer) + (spec.Key.EndsWith(".bias", StringComparison.Ordinal) ? 1 : 0), (int)spec.TensorId);
            Assert.Equal(spec.First4, values.Take(4).Select(value => (double)value).ToArray());
            Assert.Equal(spec.SumF64, values.Sum(value => (double)value), 1e-9 * Math.Max(1, Math.Abs(spec.SumF64)));
        }
        using var trunk = new TorchvisionFeatures(LpipsNet.Vgg16);
        Assert.Equal(trunk.ExpectedKeys().Select(entry => entry.Key), specs.Select(spec => spec.Key));
        Assert.All(trunk.ExpectedKeys(), entry => Assert.Equal(entry.Shape, specs.Single(spec => spec.Key == entry.Key).Shape));
    }

    [Theory]
    [InlineData(LpipsNet.Alex)]
    [InlineData(LpipsNet.Vgg16)]
    public void LpipsShippedHeadsFileHoldsTheFixtureHeads(LpipsNet net)
    {
        using var scope = torch.NewDisposeScope();
        // lpips/weights/v0.1/NET.pth as the reference repository ships it: what a user brings, a legacy torch.save.
        Assert.Equal(StateDictFormat.TorchLegacy, StateDictFile.DetectFormat(ShippedHeadsPath(net)));
        var shipped = StateDictFile.Read(ShippedHeadsPath(net));
        var fixture = StateDictFile.Read(HeadsPath(net));

        Assert.Equal(fixture.Keys.Order(), shipped.Keys.Order());
        Assert.All(fixture, entry => Assert.True(entry.Value.allclose(shipped[entry.Key], rtol: 0, atol: 0), $"{entry.Key} differs"));
        // The v0.1 heads are non-negative (a distance, not a signed score).
        Assert.All(fixture.Values, head => Assert.True(head.min().item<float>() >= 0));
    }

    [Fact]
    public void LpipsLoadsTheShippedHeadsFileAndGivesTheSameDistance()
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(LpipsNet.Alex));
        using var lpips = LpipsLoader.Load(LpipsNet.Alex, AlexTrunkPath, ShippedHeadsPath(LpipsNet.Alex));

        AssertClose("alex dist, heads from alex_v0.1.pth", lpips.Evaluate(reference["in0"], reference["in1"]).Total, reference["dist"]);
    }

    [Fact]
    public void LpipsFollowsADtypeMove()
    {
        using var scope = torch.NewDisposeScope();
        var reference = StateDictFile.Read(ReferencePath(LpipsNet.Alex));
        using var lpips = Load(LpipsNet.Alex);

        // Module.to replaces every parameter; the layers' fields must follow or the forward pass mixes dtypes.
        lpips.to(ScalarType.Float64);
        var distance = lpips.Evaluate(reference["in0"].to(ScalarType.Float64), reference["in1"].to(ScalarType.Float64)).Total;

        Assert.Equal(ScalarType.Float64, distance.dtype);
        AssertClose("alex dist in float64", distance, reference["dist"]);
    }

    [Fact]
    public void LpipsStoresTheTorchvisionKeys()
    {
        using var lpips = new Lpips(LpipsNet.Alex);

        var keys = lpips.state_dict().Keys.ToList();

        Assert.Equal(
            new[] { 0, 3, 6, 8, 10 }.SelectMany(index => new[] { $"net.features.{index}.weight", $"net.features.{index}.bias" })
                .Concat(Enumerable.Range(0, 5).Select(layer => $"lin{layer}.weight")).Order(),
            keys.Order());
        Assert.Equal(new[] { 64, 192, 384, 256, 256 }, lpips.Trunk.TapChannels);
        using var vgg = new TorchvisionFeatures(LpipsNet.Vgg16);
        Assert.Equal(new[] { 64, 128, 256, 512, 512 }, vgg.TapChannels);
        Assert.Equal(new[] { 3, 8, 15, 22, 29 }, TorchvisionFeatures.Layers(LpipsNet.Vgg16).Where(layer => layer.Tap).Select(layer => layer.Index));
        Assert.Equal(new[] { 1, 4, 7, 9, 11 }, TorchvisionFeatures.Layers(LpipsNet.Alex).Where(layer => layer.Tap).Select(layer => layer.Index));
    }

    private void AssertClose(string what, Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        var (maxAbsolute, relative) = Errors(actual, expected);
        _output.WriteLine($"{what}: max abs error {maxAbsolute:E2}, relative error {relative:E2}");
        Assert.True(relative < Tolerance, $"{what}: relative error {relative:E3} ≥ {Tolerance} (max abs {maxAbsolute:E3})");
    }
}
