using static TorchSharp.torch;

namespace Steerability.Experiments.Training;

/// <summary>The GAN losses both training loops use: the hinge loss or the non-saturating (softplus) loss.</summary>
public sealed class AdversarialLoss
{
    private readonly bool _hinge;

    /// <summary>Loss "hinge" or "nonsaturating"; anything else is refused.</summary>
    public AdversarialLoss(string loss) => _hinge = loss switch
    {
        "hinge" => true,
        "nonsaturating" => false,
        _ => throw new ArgumentException($"loss: '{loss}' is not a GAN loss; accepted: nonsaturating, hinge"),
    };

    /// <summary>The discriminator's loss: real scores up, fake scores down.</summary>
    public Tensor Discriminator(Tensor realScore, Tensor fakeScore) => _hinge
        ? nn.functional.relu(1 - realScore).mean() + nn.functional.relu(1 + fakeScore).mean()
        : nn.functional.softplus(-realScore).mean() + nn.functional.softplus(fakeScore).mean();

    /// <summary>The generator's loss on the discriminator's scores of its fakes.</summary>
    public Tensor Generator(Tensor fakeScore) => _hinge ? -fakeScore.mean() : nn.functional.softplus(-fakeScore).mean();
}
