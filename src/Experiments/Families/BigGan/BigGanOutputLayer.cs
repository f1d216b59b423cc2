using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>The original's `output_layer` Sequential: batch norm (`0`), ReLU (`1`, no weights), spectrally normalised conv to RGB (`2`).</summary>
public sealed class BigGanOutputLayer : PortLayoutModule
{
    private readonly BigGanOutputBatchNorm _norm;
    private readonly BigGanSpectralNormConv2d _toRgb;

    /// <summary>Creates the output layer for <paramref name="config"/>.</summary>
    public BigGanOutputLayer(BigGanConfig config) : base(nameof(BigGanOutputLayer))
    {
        _norm = new BigGanOutputBatchNorm(config.TopChannels);
        _toRgb = new BigGanSpectralNormConv2d(config.TopChannels, BigGanConfig.ImageChannels, config.KernelSize, hasBias: true, config.SpectralNormEpsilon);
        register_module("0", _norm);
        register_module("2", _toRgb);
    }

    /// <summary>features [N, C, S, S] → pre-tanh RGB [N, 3, S, S].</summary>
    public Tensor Forward(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        return _toRgb.Forward(nn.functional.relu(_norm.Forward(features))).MoveToOuterDisposeScope();
    }
}
