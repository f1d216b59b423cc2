using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Steerability.Experiments.Generators;

/// <summary>
/// Class-conditional DCGAN generator: [z (optionally bounded in norm), embed(class)] → linear to a 4×4 seed →
/// (×2 upsampling, batch norm, ReLU) per stage → tanh, then, with affine placement, an <see cref="AffinePlacement"/>.
/// Output [N, C, S, S] in [-1, 1]. Each ×2 step is a transposed conv or, with resize upsampling, nearest-neighbour ×2
/// followed by a 3×3 conv, computed as one <see cref="NearestDoublingConv"/> (see <see cref="DcganConfig.Upsampling"/>).
/// </summary>
public sealed class DcganGeneratorNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly DcganConfig _config;
    private readonly Embedding _classEmbedding;
    private readonly Linear _project;
    private readonly BatchNorm2d _seedNorm;
    private readonly Sequential _upsample;
    private readonly AffinePlacement? _placement;

    /// <summary>
    /// The scale a placing generator starts at: below 1, so the network learns to draw its object larger than it is
    /// shown. The placement then mostly shrinks the drawing, which keeps edges sharp; enlarging it showed the
    /// drawing's pixels as blocks and drew circles as squares.
    /// </summary>
    public const double InitialPlacementScale = 0.7;

    public DcganGeneratorNetwork(DcganConfig config) : base("DcganGenerator")
    {
        config.Validate();
        _config = config;
        _classEmbedding = Embedding(config.ClassCount, config.ClassEmbeddingSize);
        _project = Linear(config.LatentSize + config.ClassEmbeddingSize, 16 * config.SeedChannels);
        _seedNorm = BatchNorm2d(config.SeedChannels);
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var channels = config.SeedChannels;
        var resize = config.Upsampling == DcganConfig.ResizeUpsampling;
        for (var stage = 0; stage < config.Stages - 1; stage++)
        {
            if (resize)
            {
                layers.Add(($"up{stage}", new NearestDoublingConv(channels, channels / 2, bias: false)));
            }
            else
            {
                layers.Add(($"up{stage}", ConvTranspose2d(channels, channels / 2, 4, stride: 2, padding: 1, bias: false)));
            }
            layers.Add(($"norm{stage}", BatchNorm2d(channels / 2)));
            layers.Add(($"relu{stage}", ReLU()));
            channels /= 2;
        }
        if (resize)
        {
            layers.Add(("to_image", new NearestDoublingConv(channels, config.Channels)));
        }
        else
        {
            layers.Add(("to_image", ConvTranspose2d(channels, config.Channels, 4, stride: 2, padding: 1)));
        }
        layers.Add(("tanh", Tanh()));
        _upsample = Sequential(layers);
        _placement = config.PlacesObject ? new AffinePlacement(config.LatentSize, config.ClassEmbeddingSize, InitialPlacementScale) : null;
        RegisterComponents();
    }

    /// <summary>The placement of each image [N, 4] (see <see cref="AffinePlacement.Placements"/>); null without a placement stage.</summary>
    public Tensor? Placements(Tensor latents, Tensor classIndices) =>
        _placement?.Placements(Conditioning(latents, classIndices));

    /// <summary>[z, embed(class)], z first shortened to the config's <see cref="DcganConfig.MaxLatentNorm"/> when it has one.</summary>
    private Tensor Conditioning(Tensor latents, Tensor classIndices)
    {
        if (_config.MaxLatentNorm is { } bound)
        {
            var radius = bound * Math.Sqrt(_config.LatentSize);
            latents = latents * (radius / latents.norm(1, keepdim: true).clamp_min(1e-6)).clamp_max(1.0);
        }
        return torch.cat([latents, _classEmbedding.forward(classIndices)], dim: 1);
    }

    public override Tensor forward(Tensor latents, Tensor classIndices)
    {
        var input = Conditioning(latents, classIndices);                                   // [N, d + e]
        var seed = _project.forward(input).view(-1, _config.SeedChannels, 4, 4);            // [N, 4W·…, 4, 4]
        var drawn = _upsample.forward(functional.relu(_seedNorm.forward(seed)));             // [N, C, S, S]
        return _placement is null ? drawn : _placement.forward(drawn, input);
    }
}

/// <summary>
/// Class-conditional DCGAN discriminator with a projection head (SNGAN-style): spectrally normalised convs (a strided
/// 4×4 conv per halving, preceded by a 3×3 conv from the second scale on) with leaky ReLU → a 4×4 feature map h; score = linear(flattened h) + ⟨embed(class), mean-pooled h⟩. No batch norm: real and fake
/// batches pass separately, and batch statistics would let it tell them apart by the batch rather than the image.
/// </summary>
public sealed class DcganDiscriminatorNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential _features;
    private readonly SpectralNormalised _score;
    private readonly Embedding _classProjection;

    private readonly int _spreadGroupSize;

    /// <param name="config">Network shape.</param>
    /// <param name="spreadGroupSize">
    /// The batch spread feature is measured over consecutive groups of this many images (1 = the whole batch). The
    /// trainers fill each group with one class, so the feature shows how much a class varies, not how the classes differ.
    /// </param>
    public DcganDiscriminatorNetwork(DcganConfig config, int spreadGroupSize = 1) : base("DcganDiscriminator")
    {
        config.Validate();
        if (spreadGroupSize < 1)
        {
            throw new ArgumentException($"minibatch_group: {spreadGroupSize} is not accepted; use a positive group size");
        }
        _spreadGroupSize = spreadGroupSize;
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var channels = config.Width;
        layers.Add(("down0", SpectralNormalised.Conv2d(config.Channels, channels, 4, stride: 2, padding: 1)));
        layers.Add(("act0", LeakyReLU(0.2)));
        for (var stage = 1; stage < config.Stages; stage++)
        {
            // A 3×3 conv at each scale before it halves (as SNGAN's discriminator): with strided convs alone, and
            // spectral norm bounding every layer, the discriminator was too weak to tell blobs from shapes.
            layers.Add(($"same{stage}", SpectralNormalised.Conv2d(channels, channels, 3, stride: 1, padding: 1)));
            layers.Add(($"same_act{stage}", LeakyReLU(0.2)));
            layers.Add(($"down{stage}", SpectralNormalised.Conv2d(channels, channels * 2, 4, stride: 2, padding: 1)));
            layers.Add(($"act{stage}", LeakyReLU(0.2)));
            channels *= 2;
        }
        _features = Sequential(layers);
        // One extra feature map: the spread of a group of images of one class (minibatch standard deviation, Karras
        // et al. 2018). A generator that draws every latent of a class alike gives a spread near 0, which the
        // discriminator then sees at once. Measured over the whole mixed-class batch, the spread mostly showed how
        // the classes differ, and the generators drew nearly one digit per MNIST class.
        // The score reads the whole 4×4 map, not a pooled vector: pooling would hide where the object is and how
        // big it is, and the generator could then draw every object in the same place.
        _score = SpectralNormalised.Linear((channels + 1) * 16, 1);
        _classProjection = Embedding(config.ClassCount, channels + 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor images, Tensor classIndices)
    {
        var features = _features.forward(images);                                           // [N, F, 4, 4]
        var spread = BatchSpread(features);                                                   // [N, 1, 4, 4]
        var map = torch.cat([features, spread], dim: 1);                                    // [N, F + 1, 4, 4]
        var projection = (_classProjection.forward(classIndices) * map.mean([2, 3])).sum(1, keepdim: true);   // [N, 1]
        return (_score.forward(map.flatten(1)) + projection).view(-1);                       // [N]
    }

    private Tensor BatchSpread(Tensor features) =>
        GroupSpread(features, _spreadGroupSize).view(-1, 1, 1, 1).expand(features.shape[0], 1, features.shape[2], features.shape[3]);

    /// <summary>Added to the variance under the square root: far below any real spread (features are of order 0.1 to 1).</summary>
    public const double SpreadEpsilon = 1e-8;

    /// <summary>
    /// The minibatch standard deviation (Karras et al. 2018) of features [N, …] per group of
    /// <paramref name="groupSize"/> consecutive images: each feature's std over the group, averaged over features,
    /// given to every image of the group → [N]. A batch that does not split into whole groups is one group.
    /// </summary>
    public static Tensor GroupSpread(Tensor features, int groupSize)
    {
        var count = features.shape[0];
        var group = count % groupSize == 0 ? groupSize : count;
        // √(variance + ε) rather than std: std's derivative at zero spread is 0/0 = NaN, which a group of identical
        // features (a collapsed class, or a group of one) would send back into the discriminator's weights.
        var spread = (features.reshape(count / group, group, -1).var(1, unbiased: false) + SpreadEpsilon).sqrt().mean([1]);   // [N/g]
        return spread.repeat_interleave(group);
    }
}
