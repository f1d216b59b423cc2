using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGanDeep;

/// <summary>
/// BigGAN-deep (pytorch-pretrained-BigGAN files) as a frozen <see cref="IImageGenerator"/>: weights never get
/// gradients, while gradients flow to z (and to class vectors passed to <see cref="GenerateFromClassVectors"/>).
/// </summary>
public sealed class BigGanDeepGenerator : IImageGenerator
{
    /// <summary>Truncated-normal latents are drawn in [−bound, bound] before scaling by the truncation, as the port's sampler does.</summary>
    public const double LatentBound = 2.0;

    private readonly BigGanDeepNetwork _network;
    private double _truncation;

    private BigGanDeepGenerator(BigGanDeepNetwork network, Device device, double truncation)
    {
        _network = network;
        Device = device;
        Truncation = truncation;
    }

    /// <summary>Loads from a folder holding config.json and one weights file (see <see cref="BigGanDeepLoader.WeightFileNames"/>).</summary>
    public static BigGanDeepGenerator Load(string modelDirectory, Device? device = null, double truncation = 1.0) =>
        Load(Path.Combine(modelDirectory, BigGanDeepLoader.ConfigFileName), BigGanDeepLoader.FindWeightsFile(modelDirectory), device, truncation);

    /// <summary>Loads from an explicit config.json and weights file (safetensors, PyTorch zip or legacy PyTorch).</summary>
    public static BigGanDeepGenerator Load(string configPath, string weightsPath, Device? device = null, double truncation = 1.0)
    {
        if (!(truncation > 0 && truncation <= 1))
        {
            // Checked before reading (possibly large) files.
            throw new ArgumentOutOfRangeException(nameof(truncation), truncation, "truncation must be in (0, 1]");
        }
        var network = BigGanDeepLoader.LoadNetwork(configPath, weightsPath);
        var target = device ?? torch.CPU;
        if (target.type != DeviceType.CPU)
        {
            network.to(target);
        }
        return new BigGanDeepGenerator(network, target, truncation);
    }

    /// <summary>The network itself (e.g. to inspect its parameters).</summary>
    public BigGanDeepNetwork Network => _network;

    /// <summary>The architecture.</summary>
    public BigGanDeepConfig Config => _network.Config;

    /// <inheritdoc />
    public string Name => $"biggan-deep-{Config.OutputSize}";

    /// <inheritdoc />
    public int LatentSize => Config.LatentSize;

    /// <inheritdoc />
    public int ClassCount => Config.ClassCount;

    /// <inheritdoc />
    public int ImageSize => Config.OutputSize;

    /// <inheritdoc />
    public int Channels => 3;

    /// <inheritdoc />
    public Device Device { get; }

    /// <summary>
    /// Truncation ψ in (0, 1]: scales sampled latents and selects the batch-norm statistics (interpolated between the
    /// two nearest of the precomputed values, as the port does).
    /// </summary>
    public double Truncation
    {
        get => _truncation;
        set
        {
            _network.SelectTruncation(value);
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
        using var scope = torch.NewDisposeScope();
        var oneHot = nn.functional.one_hot(classIndices.to(ScalarType.Int64).to(Device), ClassCount).to(ScalarType.Float32);   // [N, K]
        return GenerateFromClassVectors(latents, oneHot).MoveToOuterDisposeScope();
    }

    /// <summary>latents [N, d], class vectors [N, K] (one-hot rows, or mixes of classes) → images [N, 3, S, S] in [-1, 1].</summary>
    public Tensor GenerateFromClassVectors(Tensor latents, Tensor classVectors)
    {
        if (latents.dim() != 2 || latents.shape[1] != LatentSize)
        {
            throw new ArgumentException($"latents must be [N, {LatentSize}], got [{string.Join(", ", latents.shape)}]", nameof(latents));
        }
        if (classVectors.dim() != 2 || classVectors.shape[1] != ClassCount || classVectors.shape[0] != latents.shape[0])
        {
            throw new ArgumentException($"class vectors must be [{latents.shape[0]}, {ClassCount}], got [{string.Join(", ", classVectors.shape)}]", nameof(classVectors));
        }
        using var scope = torch.NewDisposeScope();
        return _network.Forward(latents.to(Device), classVectors.to(ScalarType.Float32).to(Device)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();
}
