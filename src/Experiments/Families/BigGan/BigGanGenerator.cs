using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// BigGAN (BigGAN-PyTorch's generator, the one the paper's authors steered) as a frozen <see cref="IImageGenerator"/>:
/// weights never get gradients, while gradients flow to z and to the class vectors or embeddings passed in.
/// </summary>
public sealed class BigGanGenerator : IImageGenerator
{
    /// <summary>Latents are drawn from a standard normal truncated to [−bound, bound], then scaled by the truncation (the authors' sampler).</summary>
    public const double LatentBound = 2.0;

    private readonly BigGanNetwork _network;
    private double _truncation;

    private BigGanGenerator(BigGanNetwork network, Device device, double truncation)
    {
        _network = network;
        Device = device;
        Truncation = truncation;
    }

    /// <summary>
    /// Loads a generator state dict (any format <see cref="ModelFiles.StateDictFile"/> reads); the layout is inferred
    /// from the file unless <paramref name="configPath"/> gives BigGAN-PyTorch constructor arguments.
    /// </summary>
    public static BigGanGenerator Load(string weightsPath, string? configPath = null, Device? device = null, double truncation = 1.0)
    {
        CheckTruncation(truncation);   // before reading a (possibly large) file
        var network = BigGanLoader.LoadNetwork(weightsPath, configPath);
        var target = device ?? torch.CPU;
        if (target.type != DeviceType.CPU)
        {
            network.to(target);
        }
        return new BigGanGenerator(network, target, truncation);
    }

    /// <summary>The network itself (e.g. to inspect its parameters).</summary>
    public BigGanNetwork Network => _network;

    /// <summary>The architecture.</summary>
    public BigGanConfig Config => _network.Config;

    /// <inheritdoc />
    public string Name => $"biggan-{Config.Resolution}";

    /// <inheritdoc />
    public int LatentSize => Config.LatentSize;

    /// <inheritdoc />
    public int ClassCount => Config.ClassCount;

    /// <inheritdoc />
    public int ImageSize => Config.Resolution;

    /// <inheritdoc />
    public int Channels => BigGanConfig.ImageChannels;

    /// <inheritdoc />
    public Device Device { get; }

    /// <summary>Truncation ψ in (0, 1]: the scale of sampled latents (BigGAN has no truncation-dependent statistics).</summary>
    public double Truncation
    {
        get => _truncation;
        set
        {
            CheckTruncation(value);
            _truncation = value;
        }
    }

    /// <inheritdoc />
    /// <remarks>Standard normal values outside [−2, 2] are redrawn, then all are scaled by <see cref="Truncation"/>.</remarks>
    public Tensor SampleLatents(int count, torch.Generator random)
    {
        using var scope = torch.NewDisposeScope();
        var latents = TruncatedNormalLatents.Sample(count, LatentSize, LatentBound, random);
        return (latents * _truncation).to(Device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Generate(Tensor latents, Tensor classIndices)
    {
        CheckLatents(latents);
        if (classIndices.dim() != 1 || classIndices.shape[0] != latents.shape[0])
        {
            throw new ArgumentException($"class indices must be [{latents.shape[0]}], got [{string.Join(", ", classIndices.shape)}]", nameof(classIndices));
        }
        using var scope = torch.NewDisposeScope();
        var embeddings = _network.EmbedClasses(classIndices.to(ScalarType.Int64).to(Device));   // [N, shared]
        return _network.Forward(latents.to(Device), embeddings).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// latents [N, d], class vectors [N, K] (one-hot rows, or mixes of classes) → images [N, 3, S, S] in [-1, 1]. A
    /// class vector is embedded as y · shared.weight, so a mix of classes is the same mix of their embeddings.
    /// </summary>
    public Tensor GenerateFromClassVectors(Tensor latents, Tensor classVectors)
    {
        CheckLatents(latents);
        if (classVectors.dim() != 2 || classVectors.shape[1] != ClassCount || classVectors.shape[0] != latents.shape[0])
        {
            throw new ArgumentException($"class vectors must be [{latents.shape[0]}, {ClassCount}], got [{string.Join(", ", classVectors.shape)}]", nameof(classVectors));
        }
        using var scope = torch.NewDisposeScope();
        var embeddings = classVectors.to(ScalarType.Float32).to(Device).matmul(_network.ClassEmbeddingTable);   // [N, shared]
        return _network.Forward(latents.to(Device), embeddings).MoveToOuterDisposeScope();
    }

    /// <summary>latents [N, d], class embeddings [N, shared_dim] (what the original's G.forward takes) → images [N, 3, S, S].</summary>
    public Tensor GenerateFromEmbeddings(Tensor latents, Tensor embeddings)
    {
        CheckLatents(latents);
        if (embeddings.dim() != 2 || embeddings.shape[1] != Config.SharedEmbeddingSize || embeddings.shape[0] != latents.shape[0])
        {
            throw new ArgumentException($"embeddings must be [{latents.shape[0]}, {Config.SharedEmbeddingSize}], got [{string.Join(", ", embeddings.shape)}]", nameof(embeddings));
        }
        using var scope = torch.NewDisposeScope();
        return _network.Forward(latents.to(Device), embeddings.to(Device)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();

    private void CheckLatents(Tensor latents)
    {
        if (latents.dim() != 2 || latents.shape[1] != LatentSize)
        {
            throw new ArgumentException($"latents must be [N, {LatentSize}], got [{string.Join(", ", latents.shape)}]", nameof(latents));
        }
    }

    private static void CheckTruncation(double truncation)
    {
        if (!(truncation > 0 && truncation <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(truncation), truncation, "truncation must be in (0, 1]");
        }
    }
}
