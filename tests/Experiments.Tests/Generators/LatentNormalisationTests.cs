using System.Text.Json;
using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>The generator's optional rescaling of z to the latent sphere.</summary>
public sealed class LatentNormalisationTests
{
    private static readonly DcganConfig Plain = new(LatentSize: 8, ClassCount: 3, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4, Upsampling: DcganConfig.ResizeUpsampling);

    private static Tensor Draw(DcganConfig config, Tensor latents)
    {
        torch.manual_seed(11);
        using var network = new DcganGeneratorNetwork(config);
        network.eval();
        using var noGrad = torch.no_grad();
        return network.forward(latents, torch.tensor(new long[] { 0, 1, 2 }));
    }

    [Fact]
    public void ASphereNormalisingGeneratorDrawsTheSameImageForZAndAnyPositiveMultipleOfIt()
    {
        var sphere = Plain with { LatentNormalisation = DcganConfig.SphereLatentNormalisation };
        var z = torch.randn(3, 8, generator: new torch.Generator(2));
        Assert.True((Draw(sphere, z) - Draw(sphere, 5 * z)).abs().max().item<float>() < 1e-5f);
        Assert.True((Draw(Plain, z) - Draw(Plain, 5 * z)).abs().max().item<float>() > 1e-2f, "without it, the scale of z matters");
    }

    [Fact]
    public void OnTheSphereTheNormalisationChangesNothing()
    {
        var z = torch.randn(3, 8, generator: new torch.Generator(3));
        var onSphere = z * (Math.Sqrt(8) / z.norm(1, keepdim: true));
        var sphere = Plain with { LatentNormalisation = DcganConfig.SphereLatentNormalisation };
        Assert.True((Draw(sphere, onSphere) - Draw(Plain, onSphere)).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void TheNormalisationIsWrittenToTheManifestOnlyWhenSetAndAnUnknownOneIsRefused()
    {
        Assert.DoesNotContain("latent_normalisation", JsonSerializer.Serialize(Plain));
        var sphere = Plain with { LatentNormalisation = DcganConfig.SphereLatentNormalisation };
        Assert.Contains("\"latent_normalisation\":\"sphere\"", JsonSerializer.Serialize(sphere));
        Assert.Equal(sphere, JsonSerializer.Deserialize<DcganConfig>(JsonSerializer.Serialize(sphere)));
        var error = Assert.Throws<ArgumentException>((Plain with { LatentNormalisation = "cube" }).Validate);
        Assert.Contains("latent_normalisation: 'cube'", error.Message);
    }
}
