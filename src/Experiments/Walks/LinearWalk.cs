using Steerability.Experiments.Transforms;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Steerability.Experiments.Walks;

/// <summary>
/// The linear walk z' = z + Σ_k c_k(α) · w_k, with c the transform's walk coefficient (α, log α, α/(S/2), α/45).
/// One set of K vectors shared by all classes (the paper's default), or one set per class.
/// </summary>
public sealed class LinearWalk : nn.Module, ILatentWalk
{
    private readonly ImageTransform _transform;
    private readonly int _imageSize;
    private readonly Parameter _directions;                                              // [P, K, d], P = 1 or classes

    public LinearWalk(ImageTransform transform, int latentSize, int imageSize, int classCount, bool perClass, torch.Generator random, Device device)
        : base("LinearWalk")
    {
        _transform = transform;
        _imageSize = imageSize;
        PerClass = perClass;
        var sets = perClass ? Math.Max(1, classCount) : 1;
        // w ~ N(0, 0.1) as the authors initialise it.
        _directions = new Parameter((torch.randn(sets, transform.Dimensions, latentSize, generator: random) * 0.1f).to(device));
        register_parameter("directions", _directions);
    }

    public string Kind => "linear";

    /// <summary>True when each class has its own walk vectors.</summary>
    public bool PerClass { get; }

    /// <summary>The walk vectors [P, K, d].</summary>
    public Tensor Directions => _directions;

    public IEnumerable<Parameter> TrainableParameters => [_directions];

    public Tensor Steer(Tensor latents, Tensor classIndices, Tensor alphas)
    {
        var coefficients = _transform.WalkCoefficients(alphas.to(latents.device), _imageSize);   // [N, K]
        var directions = PerClass ? _directions.index_select(0, classIndices) : _directions.expand(latents.shape[0], -1, -1);   // [N, K, d]
        return latents + (coefficients.unsqueeze(2) * directions).sum(1);
    }

    public double[,] SampleTrainingAlphas(int count, Random random) => _transform.SampleTrainingAlphas(count, random, _imageSize);
}
