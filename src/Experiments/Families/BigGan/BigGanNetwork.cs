using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// BigGAN-PyTorch's Generator (hierarchical z, shared class embedding) with its state-dict names: `shared`, `linear`,
/// `blocks.i.0` (<see cref="BigGanResidualBlock"/>), `blocks.i.1` (<see cref="BigGanSelfAttention"/> where the layout has
/// it) and `output_layer` (batch norm `0`, ReLU, conv `2`). Forward, like the original's, takes the class already
/// embedded, so class mixes are mixes of embeddings.
/// </summary>
public sealed class BigGanNetwork : PortLayoutModule
{
    private readonly Embedding _shared;
    private readonly BigGanSpectralNormLinear _linear;
    private readonly ModuleList<nn.Module> _blocks;
    private readonly BigGanOutputLayer _outputLayer;

    /// <summary>Creates the network for <paramref name="config"/> with placeholder weights (to be filled by a loader).</summary>
    public BigGanNetwork(BigGanConfig config) : base(nameof(BigGanNetwork))
    {
        Config = config;
        _shared = nn.Embedding(config.ClassCount, config.SharedEmbeddingSize);
        _linear = new BigGanSpectralNormLinear(
            config.LatentChunkSize, config.BottomChannels * config.BottomWidth * config.BottomWidth, hasBias: true, config.SpectralNormEpsilon);
        var blocks = new List<nn.Module>();
        for (var index = 0; index < config.Blocks.Count; index++)
        {
            var stage = new List<nn.Module> { new BigGanResidualBlock(config.Blocks[index], config) };
            if (config.AttentionBlocks.Contains(index))
            {
                stage.Add(new BigGanSelfAttention(config.Blocks[index].OutputChannels, config.SpectralNormEpsilon));
            }
            blocks.Add(nn.ModuleList(stage.ToArray()));
        }
        _blocks = nn.ModuleList(blocks.ToArray());
        _outputLayer = new BigGanOutputLayer(config);
        register_module("shared", _shared);
        register_module("linear", _linear);
        register_module("blocks", _blocks);
        register_module("output_layer", _outputLayer);

        // The weights live as long as the network, not as long as whatever dispose scope the caller is in.
        foreach (var (_, parameter) in named_parameters())
        {
            parameter.DetachFromDisposeScope();
        }
        foreach (var (_, buffer) in named_buffers())
        {
            buffer.DetachFromDisposeScope();
        }
    }

    /// <summary>The architecture.</summary>
    public BigGanConfig Config { get; }

    /// <summary>The shared class embedding table [K, shared_dim].</summary>
    public Tensor ClassEmbeddingTable => _shared.weight!;

    /// <summary>Class indices [N] (int64) → embeddings [N, shared_dim] (G.shared(y)).</summary>
    public Tensor EmbedClasses(Tensor classIndices) => _shared.forward(classIndices);

    /// <summary>
    /// latents [N, dim_z], class embeddings [N, shared_dim] → images [N, 3, S, S] in [-1, 1]. When
    /// <paramref name="activations"/> is given, it receives detached copies of the intermediate outputs under the
    /// reference fixture's names (`linear`, `blocks.i.j`, `output_layer_pre_tanh`), owned by the caller's dispose scope.
    /// </summary>
    public Tensor Forward(Tensor latents, Tensor embeddings, IDictionary<string, Tensor>? activations = null)
    {
        using var scope = torch.NewDisposeScope();
        var chunks = latents.split(Config.LatentChunkSize, dim: 1);                          // SlotCount × [N, chunk]
        var features = _linear.Forward(chunks[0]);                                           // [N, C0·w·w]
        Record(activations, "linear", features);
        features = features.view(features.shape[0], -1, Config.BottomWidth, Config.BottomWidth);   // [N, C0, w, w]
        for (var index = 0; index < _blocks.Count; index++)
        {
            var condition = torch.cat([embeddings, chunks[index + 1]], dim: 1);             // [N, shared + chunk]: y first
            var stage = (ModuleList<nn.Module>)_blocks[index];
            for (var layer = 0; layer < stage.Count; layer++)
            {
                features = stage[layer] switch
                {
                    BigGanResidualBlock block => block.Forward(features, condition),
                    BigGanSelfAttention attention => attention.Forward(features),
                    var other => throw new InvalidOperationException($"unexpected layer {other.GetType().Name}"),
                };
                Record(activations, $"blocks.{index}.{layer}", features);
            }
        }
        var rgb = _outputLayer.Forward(features);                                            // [N, 3, S, S]
        Record(activations, "output_layer_pre_tanh", rgb);
        return torch.tanh(rgb).MoveToOuterDisposeScope();
    }

    /// <summary>Every spectrally normalised layer with its state-dict name (e.g. `blocks.0.0.bn1.gain`).</summary>
    public IEnumerable<(string Name, BigGanSpectralNormLayer Layer)> SpectralNormLayers() =>
        named_modules()
            .Where(entry => entry.module is BigGanSpectralNormLayer)
            .Select(entry => (entry.name, (BigGanSpectralNormLayer)entry.module));

    /// <summary>Recomputes every σ and effective weight from the stored tensors (after loading).</summary>
    public void RefreshSpectralNormWeights()
    {
        foreach (var (_, layer) in SpectralNormLayers())
        {
            layer.RefreshEffectiveWeight();
        }
    }

    private static void Record(IDictionary<string, Tensor>? activations, string name, Tensor value)
    {
        if (activations is not null)
        {
            activations[name] = value.detach().MoveToOuterDisposeScope();
        }
    }
}
