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

    /// <summary>
    /// Two networks of the same weights (the unbounded one copies the bounded one's state), so that they differ only in
    /// the bound: their weights do not depend on what else draws from libtorch's global generator.
    /// </summary>
    private static (DcganGeneratorNetwork Bounded, DcganGeneratorNetwork Unbounded) Networks()
    {
        torch.manual_seed(11);
        var bounded = new DcganGeneratorNetwork(Bounded);
        var unbounded = new DcganGeneratorNetwork(Unbounded);
        unbounded.load_state_dict(bounded.state_dict());
        bounded.eval();
        unbounded.eval();
        return (bounded, unbounded);
    }

    private static Tensor Draw(DcganGeneratorNetwork network, Tensor latents)
    {
        using var noGrad = torch.no_grad();
        return network.forward(latents, torch.tensor(new long[] { 0, 1, 2 }));            // [3, 3, 16, 16] in [-1, 1]
    }

    /// <summary>Three latents of norm <paramref name="multiple"/>·√d, in the same three directions for every multiple.</summary>
    private static Tensor OfNorm(double multiple)
    {
        var z = torch.randn(3, LatentSize, generator: new torch.Generator(2));
        return z * (multiple * Math.Sqrt(LatentSize) / z.norm(1, keepdim: true));
    }

    [Fact]
    public void ALatentBeyondTheBoundDrawsWhatItsDirectionDrawsAtTheBound()
    {
        var (bounded, unbounded) = Networks();
        using (bounded)
        using (unbounded)
        {
            // Two float32 paths to one latent: norm 6·√d shortened by the bound's factor (≈ 1/4), and norm 1.5·√d scaled
            // by a factor clamped at 1. They agree to a few float32 roundings (measured 1.8e-7 on outputs in [-1, 1]);
            // 1e-5 is about 80 roundings (ulp 1.2e-7 at 1), far below the 0.59 measured without the bound.
            var shortened = (Draw(bounded, OfNorm(6)) - Draw(bounded, OfNorm(1.5))).abs().max().item<float>();
            Assert.True(shortened < 1e-5f, $"bounded draws differ by {shortened:E3}");
            // Without the bound a latent 4× as long draws another image (measured 0.59 apart); 1e-2 is 1000× the
            // rounding allowed above, so the two checks cannot both pass by chance.
            var apart = (Draw(unbounded, OfNorm(6)) - Draw(unbounded, OfNorm(1.5))).abs().max().item<float>();
            Assert.True(apart > 1e-2f, $"unbounded, the norm matters: draws only {apart:E3} apart");
        }
    }

    [Fact]
    public void ALatentWithinTheBoundIsLeftAsItIs()
    {
        var (bounded, unbounded) = Networks();
        using (bounded)
        using (unbounded)
        {
            // Within the bound the scale factor is clamped to exactly 1, so both networks (one set of weights) see the same
            // latent bit for bit and run the same kernels on it: the draws must be identical, not merely close.
            Assert.True((Draw(bounded, OfNorm(1.4)) == Draw(unbounded, OfNorm(1.4))).all().item<bool>(), "a latent within the bound was changed");
        }
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
