using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Walks;

/// <summary>A learned way to move latents so the generator's output follows an edit of α.</summary>
public interface ILatentWalk : IDisposable
{
    /// <summary>The walk type's name, as <see cref="WalkTypes"/> lists it.</summary>
    string Kind { get; }

    /// <summary>The trainable parameters (Adam updates only these; G stays frozen).</summary>
    IEnumerable<TorchSharp.Modules.Parameter> TrainableParameters { get; }

    /// <summary>Moves latents z [N, d] of classes [N] by α [N, K] (the transform's units): returns z'(α) [N, d].</summary>
    Tensor Steer(Tensor latents, Tensor classIndices, Tensor alphas);

    /// <summary>Draws training α [count, K] as this walk is trained (linear: the paper's ranges; nonlinear: whole steps).</summary>
    double[,] SampleTrainingAlphas(int count, Random random);
}
