using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Tests.Generators;

/// <summary>A one-class CPU generator with 4 latent dimensions whose images are a given function of the latents.</summary>
internal sealed class FunctionGenerator(string name, int imageSize, Func<Tensor, Tensor> draw) : IImageGenerator
{
    public string Name => name;
    public int LatentSize => 4;
    public int ClassCount => 1;
    public int ImageSize => imageSize;
    public int Channels => 3;
    public Device Device => torch.CPU;
    public Tensor SampleLatents(int count, torch.Generator random) => torch.randn(count, 4, generator: random);
    public Tensor Generate(Tensor latents, Tensor classIndices) => draw(latents);

    public void Dispose()
    {
    }
}
