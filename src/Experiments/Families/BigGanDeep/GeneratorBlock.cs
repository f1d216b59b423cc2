using Steerability.Experiments.ModelFiles;
using Steerability.Experiments.Generators;
using Steerability.Experiments.Attributes;
using Steerability.Experiments.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGanDeep;

/// <summary>
/// BigGAN-deep residual block: a bottleneck (1×1 down to in/4 channels, two 3×3, 1×1 out) with a conditional batch
/// norm and ReLU before each convolution; optional 2× nearest up-sampling; the skip path keeps the first out channels.
/// </summary>
public sealed class GeneratorBlock : PortLayoutModule
{
    private readonly bool _upSample;
    private readonly int _outputChannels;
    private readonly ConditionalBatchNorm[] _norms;
    private readonly SpectralNormConv2d[] _convolutions;

    /// <summary>Creates a block [N, <paramref name="inputChannels"/>, H, W] → [N, <paramref name="outputChannels"/>, H', W'].</summary>
    public GeneratorBlock(int inputChannels, int outputChannels, bool upSample, int conditionSize, int statisticsCount, double epsilon)
        : base(nameof(GeneratorBlock))
    {
        _upSample = upSample;
        _outputChannels = outputChannels;
        var bottleneck = inputChannels / 4;
        _norms =
        [
            new ConditionalBatchNorm(inputChannels, conditionSize, statisticsCount, epsilon),
            new ConditionalBatchNorm(bottleneck, conditionSize, statisticsCount, epsilon),
            new ConditionalBatchNorm(bottleneck, conditionSize, statisticsCount, epsilon),
            new ConditionalBatchNorm(bottleneck, conditionSize, statisticsCount, epsilon),
        ];
        _convolutions =
        [
            new SpectralNormConv2d(inputChannels, bottleneck, kernelSize: 1, hasBias: true),
            new SpectralNormConv2d(bottleneck, bottleneck, kernelSize: 3, hasBias: true),
            new SpectralNormConv2d(bottleneck, bottleneck, kernelSize: 3, hasBias: true),
            new SpectralNormConv2d(bottleneck, outputChannels, kernelSize: 1, hasBias: true),
        ];
        for (var index = 0; index < 4; index++)
        {
            register_module($"bn_{index}", _norms[index]);
            register_module($"conv_{index}", _convolutions[index]);
        }
        if (outputChannels != inputChannels && outputChannels * 2 != inputChannels)
        {
            // The skip path has no projection: it can only keep all channels or drop half of them.
            throw new ArgumentException("a BigGAN-deep block keeps its width or halves it", nameof(outputChannels));
        }
    }

    /// <summary>input [N, in, H, W], condition [N, cond] → [N, out, H·s, W·s] with s = 2 when up-sampling, else 1.</summary>
    public Tensor Forward(Tensor input, Tensor condition)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = _convolutions[0].Forward(nn.functional.relu(_norms[0].Forward(input, condition)));   // [N, in/4, H, W]
        hidden = nn.functional.relu(_norms[1].Forward(hidden, condition));
        if (_upSample)
        {
            hidden = UpSample(hidden);                                                                    // [N, in/4, 2H, 2W]
        }
        hidden = _convolutions[1].Forward(hidden);
        hidden = _convolutions[2].Forward(nn.functional.relu(_norms[2].Forward(hidden, condition)));
        hidden = _convolutions[3].Forward(nn.functional.relu(_norms[3].Forward(hidden, condition)));     // [N, out, H', W']

        // The skip path drops channels rather than projecting them: when the width halves, the first half is kept.
        var skip = input.shape[1] == _outputChannels ? input : input[.., .._outputChannels];             // [N, out, H, W]
        if (_upSample)
        {
            skip = UpSample(skip);
        }
        return (hidden + skip).MoveToOuterDisposeScope();
    }

    private static Tensor UpSample(Tensor input) =>
        nn.functional.interpolate(input, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
}
