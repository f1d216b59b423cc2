using System.Diagnostics;
using Steerability.Experiments.Generators.BigGanDeep;
using Xunit;
using Xunit.Abstractions;
using static Steerability.Experiments.Tests.Generators.GeneratorTestSupport;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>A walk-like optimisation trains through the frozen BigGAN-deep: the loss falls and no weight gets a gradient.</summary>
public sealed class BigGanDeepWalkTests
{
    private readonly ITestOutputHelper _output;

    public BigGanDeepWalkTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void BigGanWalkTrainsThroughFrozenGenerator()
    {
        using var generator = BigGanDeepGenerator.Load(FixtureDirectory("biggan-deep-tiny-a"), truncation: 0.43);
        var clock = Stopwatch.StartNew();

        var (initial, final) = WalkTraining.Train(generator, WalkTraining.Brighten, classIndices: [1, 207], steps: 25, learningRate: 0.05, seed: 7);

        _output.WriteLine($"walk loss {initial:E3} → {final:E3} in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(final < 0.9 * initial, $"loss {initial:E3} → {final:E3}");
        Assert.All(generator.Network.parameters(), parameter => Assert.True(parameter.grad is null));
    }
}
