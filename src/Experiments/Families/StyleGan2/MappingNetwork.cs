using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// The mapping network z (and c) → w: normalize_2nd_moment(z), concatenated with normalize_2nd_moment(embed(c)) for
/// conditional models, then fully connected leaky-ReLU layers with lr multiplier; `w_avg` (the tracked mean of w) is
/// the truncation centre.
/// </summary>
public sealed class MappingNetwork : PortLayoutModule
{
    private readonly StyleGan2Config _config;
    private readonly FullyConnectedLayer? _embed;
    private readonly FullyConnectedLayer[] _layers;
    private readonly Tensor _styleAverage;

    /// <summary>Creates the mapping of <paramref name="config"/>, weights to be loaded.</summary>
    public MappingNetwork(StyleGan2Config config) : base(nameof(MappingNetwork))
    {
        _config = config;
        if (config.ClassCount > 0)
        {
            _embed = new FullyConnectedLayer(config.ClassCount, config.EmbedSize, leakyRelu: false);
            register_module("embed", _embed);
        }
        var features = new List<int> { config.LatentSize + config.EmbedSize };
        features.AddRange(Enumerable.Repeat(config.MappingHiddenSize, config.MappingLayers - 1));
        features.Add(config.StyleSize);
        _layers = new FullyConnectedLayer[config.MappingLayers];
        for (var index = 0; index < config.MappingLayers; index++)
        {
            _layers[index] = new FullyConnectedLayer(features[index], features[index + 1], leakyRelu: true, config.MappingLearningRateMultiplier);
            register_module($"fc{index}", _layers[index]);
        }
        _styleAverage = torch.zeros(config.StyleSize);
        register_buffer("w_avg", _styleAverage);
    }

    /// <summary>w_avg [w_dim], the centre truncation pulls towards.</summary>
    public Tensor StyleAverage => _styleAverage;

    /// <summary>z [N, z_dim] and c [N, c_dim] (one-hot or mixed labels; ignored when unconditional) → w [N, w_dim].</summary>
    public Tensor Forward(Tensor latents, Tensor? labels, Action<string, Tensor>? record = null)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? x = null;
        if (_config.LatentSize > 0)
        {
            x = StyleGan2Ops.NormalizeSecondMoment(latents.to(ScalarType.Float32));
        }
        if (_embed is not null)
        {
            var embedded = _embed.Forward((labels ?? throw new ArgumentNullException(nameof(labels), "a conditional generator needs labels")).to(ScalarType.Float32));
            record?.Invoke("mapping.embed", embedded);
            var y = StyleGan2Ops.NormalizeSecondMoment(embedded);
            x = x is null ? y : torch.cat([x, y], 1);
        }
        for (var index = 0; index < _layers.Length; index++)
        {
            x = _layers[index].Forward(x!);
            record?.Invoke($"mapping.fc{index}", x);
        }
        return x!.MoveToOuterDisposeScope();
    }
}
