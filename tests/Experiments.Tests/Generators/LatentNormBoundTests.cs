using System.Text.Json;
using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>The generator's optional bound on the norm of z.</summary>
public sealed class LatentNormBoundTests
{
    private const int LatentSize = 8;
    private static readonly DcganConfig Unbounded = new(LatentSize: LatentSize, ClassCount: 3, ImageSize: 16, Channels: 3, Width: 8, ClassEmbeddingSize: 4, Upsampling: DcganConfig.ResizeUpsampling);
    private static readonly DcganConfig Bounded = Unbounded with { MaxLatentNorm = 1.5 };

    private static Tensor Draw(DcganConfig config, Tensor latents)
    {
        torch.manual_seed(11);
        using var network = new DcganGeneratorNetwork(config);
        network.eval();
        using var noGrad = torch.no_grad();
        return network.forward(latents, torch.tensor(new long[] { 0, 1, 2 }));
    }

    /// <summary>Three latents of norm <paramref name="multiple"/>·√d.</summary>
    private static Tensor OfNorm(double multiple)
    {
        var z = torch.randn(3, LatentSize, generator: new torch.Generator(2));
        return z * (multiple * Math.Sqrt(LatentSize) / z.norm(1, keepdim: true));
    }

    [Fact]
    public void ALatentBeyondTheBoundDrawsWhatItsDirectionDrawsAtTheBound()
    {
        Assert.True((Draw(Bounded, OfNorm(6)) - Draw(Bounded, OfNorm(1.5))).abs().max().item<float>() < 1e-5f);
        Assert.True((Draw(Unbounded, OfNorm(6)) - Draw(Unbounded, OfNorm(1.5))).abs().max().item<float>() > 1e-2f, "unbounded, the norm matters");
    }

    [Fact]
    public void ALatentWithinTheBoundIsLeftAsItIs()
    {
        Assert.True((Draw(Bounded, OfNorm(1.4)) - Draw(Unbounded, OfNorm(1.4))).abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void TheBoundIsWrittenToTheManifestOnlyWhenSetAndOneBelow1IsRefused()
    {
        Assert.DoesNotContain("max_latent_norm", JsonSerializer.Serialize(Unbounded));
        Assert.Contains("\"max_latent_norm\":1.5", JsonSerializer.Serialize(Bounded));
        Assert.Equal(Bounded, JsonSerializer.Deserialize<DcganConfig>(JsonSerializer.Serialize(Bounded)));
        var error = Assert.Throws<ArgumentException>((Unbounded with { MaxLatentNorm = 0.5 }).Validate);
        Assert.Contains("max_latent_norm: 0.5", error.Message);
        Assert.Throws<ArgumentException>((Unbounded with { MaxLatentNorm = double.NaN }).Validate);
    }
}
