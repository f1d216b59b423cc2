using Steerability.Experiments.Evaluation;
using Steerability.Experiments.Tests.Generators;
using Steerability.Experiments.Transforms;
using Steerability.Experiments.Walks;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Evaluation;

/// <summary>
/// Colour is evaluated as the authors' figure (all three channels moved by the same α) and, in a second labelled
/// table, one channel at a time; checked against a hand computation on a generator whose image is its latent.
/// </summary>
public sealed class ColourEvaluationTests
{
    private const int Side = 4;

    /// <summary>Each channel of the image is flat and equal to one latent coordinate: G(z)_c = z_c.</summary>
    private static FunctionGenerator FlatGenerator() =>
        new("flat", Side, z => z[.., ..3].reshape(-1, 3, 1, 1).expand(-1, 3, Side, Side).contiguous());

    /// <summary>A walk that moves latent coordinate c by half of α_c, so it reaches half of each channel's edit.</summary>
    private sealed class HalfWayWalk : ILatentWalk
    {
        public string Kind => "linear";
        public IEnumerable<TorchSharp.Modules.Parameter> TrainableParameters => [];
        public Tensor Steer(Tensor latents, Tensor classIndices, Tensor alphas)
        {
            var moved = torch.zeros_like(latents);
            moved[.., ..(int)alphas.shape[1]] = alphas.to(latents.dtype) * 0.5;
            return latents + moved;
        }
        public double[,] SampleTrainingAlphas(int count, Random random) => new double[count, 3];
        public void Dispose()
        {
        }
    }

    [Fact]
    public void Color_rows_hold_the_equal_evaluation_and_one_table_per_channel_matching_a_hand_computation()
    {
        using var generator = FlatGenerator();
        using var walk = new HalfWayWalk();
        double[] grid = [-1, -0.5, 0, 0.5, 1];

        var rows = AlphaEvaluator.Evaluate(generator, TransformCatalog.Create("color"), walk, new EvaluationOptions(LatentsPerClass: 5, Batch: 5, Grid: grid), ["only"]);

        Assert.Equal([EvaluationMode.EqualName, "red", "green", "blue"], rows.Select(r => r.Evaluation).Distinct());
        Assert.Equal(4 * grid.Length, rows.Count);
        foreach (var row in rows)
        {
            var squared = row.Alpha * row.Alpha;
            // Equal: every channel is off by α (baseline) or by α/2 (the walk), on every pixel. One channel: a third of the values.
            var share = row.Evaluation == EvaluationMode.EqualName ? 1.0 : 1.0 / 3;
            Assert.Equal(share * squared, row.BaselineL2Mean, 5);
            Assert.Equal(share * squared / 4, row.L2Mean, 5);
            Assert.Equal(5, row.Count);
        }
    }

    [Fact]
    public void A_one_dimensional_edit_has_only_the_equal_evaluation_and_color_moves_every_channel_in_it()
    {
        Assert.Equal([EvaluationMode.EqualName], TransformCatalog.Create("brightness").EvaluationModes.Select(m => m.Name));
        var equal = TransformCatalog.Create("color").EvaluationAlphas(0.25, 2);
        Assert.Equal(new[] { 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f }, equal.data<float>().ToArray());
        var green = TransformCatalog.Create("color").EvaluationModes.Single(m => m.Name == "green").Alphas(0.25, 1);
        Assert.Equal(new[] { 0f, 0.25f, 0f }, green.data<float>().ToArray());
    }
}
