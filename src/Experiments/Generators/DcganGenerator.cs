using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Generators;

/// <summary>A trained DCGAN generator, frozen and in evaluation mode, as walks see it.</summary>
public sealed class DcganGenerator : IImageGenerator
{
    private readonly DcganGeneratorNetwork _network;

    public DcganGenerator(string name, DcganConfig config, DcganGeneratorNetwork network, IReadOnlyList<string> classNames, Device device)
    {
        Name = name;
        Config = config;
        ClassNames = classNames;
        _network = network;
        _network.to(device);
        _network.eval();
        foreach (var parameter in _network.parameters())
        {
            parameter.requires_grad = false;
        }
        Device = device;
    }

    public string Name { get; }
    public DcganConfig Config { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int LatentSize => Config.LatentSize;
    public int ClassCount => Config.ClassCount;
    public int ImageSize => Config.ImageSize;
    public int Channels => Config.Channels;
    public Device Device { get; }

    /// <summary>The underlying network (for saving, or for joint training that unfreezes it).</summary>
    public DcganGeneratorNetwork Network => _network;

    public Tensor SampleLatents(int count, torch.Generator random) =>
        torch.randn(count, LatentSize, generator: random).to(Device);

    public Tensor Generate(Tensor latents, Tensor classIndices) => _network.forward(latents, classIndices);

    public void Dispose() => _network.Dispose();
}
