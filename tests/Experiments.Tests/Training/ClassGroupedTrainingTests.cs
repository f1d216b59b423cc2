using Steerability.Experiments.Families.Shapes;
using System.Text.Json;
using Steerability.Experiments.Data;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Training;
using TorchSharp;

namespace Steerability.Experiments.Tests.Training;

/// <summary>Batches in groups of one class, the discriminator's per-group spread, and the resize-upsampling generator.</summary>
public sealed class ClassGroupedTrainingTests
{
    [Fact]
    public void EveryGroupHoldsOneClassAndAllClassesAreDrawn()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 5, imageSize: 16, seed: 1);
        var batches = new ClassGroupedBatches(data, groupSize: 4);
        var labels = data.Labels.data<long>().ToArray();
        var random = new Random(3);
        var seen = new HashSet<long>();
        for (var draw = 0; draw < 50; draw++)
        {
            var picked = batches.Draw(64, random, torch.CPU).data<long>().ToArray();
            Assert.Equal(64, picked.Length);
            foreach (var group in picked.Chunk(4))
            {
                Assert.Single(group.Select(i => labels[i]).Distinct());
            }
            seen.UnionWith(picked.Select(i => labels[i]));
        }
        Assert.Equal(12, seen.Count);
    }

    [Fact]
    public void GroupSizeOneMixesClassesWithinABatch()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 5, imageSize: 16, seed: 1);
        var labels = data.Labels.data<long>().ToArray();
        var picked = new ClassGroupedBatches(data, groupSize: 1).Draw(64, new Random(3), torch.CPU).data<long>().ToArray();
        // Drawn freely from 12 classes, four in a row share one class with probability 12·(1/12)⁴ ≈ 0.0006, so nearly
        // all 16 runs of four mix; grouping by class would leave none mixed. More than half separates the two.
        Assert.True(picked.Chunk(4).Count(g => g.Select(i => labels[i]).Distinct().Count() > 1) > 8);
        Assert.Throws<ArgumentException>(() => new ClassGroupedBatches(data, groupSize: 0));
    }

    [Fact]
    public void TheSpreadIsZeroForAGroupOfCopiesAndMeasuredPerGroup()
    {
        var copies = torch.ones(4, 2, 4, 4).mul(0.7f);
        var varied = torch.arange(4 * 2 * 4 * 4, dtype: torch.float32).reshape(4, 2, 4, 4);
        var spread = DcganDiscriminatorNetwork.GroupSpread(torch.cat([copies, varied]), groupSize: 4).data<float>().ToArray();
        Assert.Equal(8, spread.Length);
        // Copies have variance 0 (or a float32 rounding of it, ~1e-15), so their spread is √ε = 1e-4, the floor that keeps
        // the gradient finite; 1e-9 is 1e-5 of it, above float32 rounding and far below any real spread.
        Assert.All(spread[..4], s => Assert.Equal(Math.Sqrt(DcganDiscriminatorNetwork.SpreadEpsilon), s, 1e-9));
        // Each feature of the varied group takes values v, v+32, v+64, v+96: population std = 32·√1.25 ≈ 35.8. Three
        // decimals (1.4e-5 relative) allow the float32 rounding of a variance of about 1280 over 128 features; ε adds 1e-10.
        Assert.All(spread[4..], s => Assert.Equal(32 * Math.Sqrt(1.25), s, 3));
        // A batch that does not split into whole groups is one group: both halves share one spread.
        var whole = DcganDiscriminatorNetwork.GroupSpread(torch.cat([copies, varied[..2]]), groupSize: 4).data<float>().ToArray();
        Assert.Single(whole.Distinct());
        Assert.True(whole[0] > 0);
    }

    [Fact]
    public void TheResizeGeneratorDrawsImagesOfTheConfiguredSizeAndTrains()
    {
        var (data, _) = ShapesDataset.Generate(perClass: 4, imageSize: 16, seed: 1);
        var config = new DcganConfig(LatentSize: 8, ClassCount: 12, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4, Upsampling: DcganConfig.ResizeUpsampling);
        // Seed 1 (GanTrainer seeds libtorch's generator with it), latents from their own generator.
        using var network = GanTrainer.Train(data, config, new GanTrainingOptions(Steps: 3, Batch: 8, Seed: 1, MinibatchGroup: 4), torch.CPU);
        using var noGrad = torch.no_grad();
        var images = network.forward(torch.randn(5, 8, generator: new torch.Generator(4)), torch.tensor(new long[] { 0, 1, 2, 3, 11 }));
        Assert.Equal(new long[] { 5, 3, 16, 16 }, images.shape);
        Assert.True(images.isfinite().all().item<bool>(), "the trained generator draws NaN or infinity");
        Assert.True(images.abs().max().item<float>() <= 1f);
        Assert.DoesNotContain(network.named_parameters(), p => p.name.Contains("to_image") && p.parameter.shape.Length == 4 && p.parameter.shape[2] == 4);
    }

    [Fact]
    public void AnOlderManifestWithoutUpsamplingMeansTransposedAndAnUnknownOneIsRefused()
    {
        var older = JsonSerializer.Deserialize<DcganConfig>("""{"latent_size":8,"class_count":2,"image_size":16,"channels":3,"width":8,"class_embedding_size":4}""")!;
        Assert.Equal(DcganConfig.TransposedUpsampling, older.Upsampling);
        var unknown = older with { Upsampling = "bilinear" };
        var error = Assert.Throws<ArgumentException>(unknown.Validate);
        Assert.Contains("bilinear", error.Message);
    }
}
