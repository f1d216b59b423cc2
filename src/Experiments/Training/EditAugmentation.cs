using Steerability.Experiments.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Training;

/// <summary>
/// The augmented regime's data (paper §4.4): a share of each real batch is edited with α drawn from the transform's
/// training range; pixels the edit leaves undefined take the image's background colour (the median of its frame),
/// so an augmented image still looks like an object on a plain background.
/// </summary>
public sealed class EditAugmentation(ImageTransform transform, double share, int imageSize)
{
    /// <summary>The paper's share: 50k of 60k MNIST images edited.</summary>
    public const double DefaultShare = 5.0 / 6.0;

    public ImageTransform Transform { get; } = transform;
    public double Share { get; } = share;

    /// <summary>Edits about <see cref="Share"/> of the images [N, C, S, S]; returns the batch.</summary>
    public Tensor Apply(Tensor images, Random random)
    {
        using var scope = torch.NewDisposeScope();
        var n = (int)images.shape[0];
        var alphas = Transform.SampleTrainingAlphas(n, random, imageSize);
        for (var i = 0; i < n; i++)
        {
            if (random.NextDouble() >= Share)
            {
                for (var k = 0; k < Transform.Dimensions; k++)
                {
                    alphas[i, k] = Transform.IdentityAlpha;
                }
            }
        }
        var edit = Transform.Apply(images, WalkTrainer.ToTensor(alphas, images.device));
        var background = Background(images);                                               // [N, C, 1, 1]
        var augmented = edit.Images * edit.Mask + background * (1 - edit.Mask);
        return augmented.MoveToOuterDisposeScope();
    }

    /// <summary>The per-image, per-channel median of the one-pixel frame [N, C, 1, 1].</summary>
    public static Tensor Background(Tensor images)
    {
        var frame = torch.cat([images[.., .., 0, ..], images[.., .., -1, ..], images[.., .., 1..^1, 0], images[.., .., 1..^1, -1]], dim: 2);
        return frame.sort(2).Values[.., .., frame.shape[2] / 2].unsqueeze(-1).unsqueeze(-1);
    }
}
