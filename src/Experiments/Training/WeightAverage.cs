using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Training;

/// <summary>
/// An exponential moving average of tensors being trained (a generator's weights, a walk's directions), kept in
/// target tensors of the same shapes. GAN weights oscillate around a good solution, and their average draws cleaner
/// images (Yazıcı et al. 2019). Batch-norm statistics are buffers, not parameters, and are not averaged:
/// <see cref="GanTrainer.Settle"/> re-estimates them for the averaged weights.
/// </summary>
internal sealed class WeightAverage
{
    /// <summary>Decay per step after the first tenth of training: an average over about the last 1000 steps.</summary>
    public const double Decay = 0.999;

    private readonly IReadOnlyList<Tensor> _sources;
    private readonly IReadOnlyList<Tensor> _targets;

    /// <summary>Starts the average at the sources' current values.</summary>
    public WeightAverage(IEnumerable<Tensor> sources, IEnumerable<Tensor> targets)
    {
        _sources = sources.ToList();
        _targets = targets.ToList();
        if (_sources.Count != _targets.Count)
        {
            throw new ArgumentException($"{_sources.Count} tensors to average into {_targets.Count}");
        }
        using var noGrad = torch.no_grad();
        foreach (var (source, target) in _sources.Zip(_targets))
        {
            target.copy_(source);
        }
    }

    /// <summary>Folds the sources' values after <paramref name="step"/> of <paramref name="steps"/> into the average.</summary>
    public void Update(int step, int steps)
    {
        // A short average over the first tenth of training, so the random start leaves it quickly.
        var decay = step < steps / 10 ? 0.9 : Decay;
        using var noGrad = torch.no_grad();
        foreach (var (source, target) in _sources.Zip(_targets))
        {
            target.mul_(decay).add_(source, alpha: 1 - decay);
        }
    }
}
