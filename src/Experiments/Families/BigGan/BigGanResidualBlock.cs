using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.BigGan;

/// <summary>
/// BigGAN-PyTorch's GBlock with up-sampling: relu(bn1(x)) → nearest ×2 (of h and of x) → conv1 → relu(bn2) → conv2,
/// plus the learned 1×1 shortcut conv_sc(x).
/// </summary>
public sealed class BigGanResidualBlock : PortLayoutModule
{
    private readonly BigGanConditionalBatchNorm _norm1;
    private readonly BigGanConditionalBatchNorm _norm2;
    private readonly BigGanSpectralNormConv2d _convolution1;
    private readonly BigGanSpectralNormConv2d _convolution2;
    private readonly BigGanSpectralNormConv2d _shortcut;

    /// <summary>Creates a block [N, <paramref name="layout"/>.In, H, W] → [N, Out, 2H, 2W] for <paramref name="config"/>.</summary>
    public BigGanResidualBlock(BigGanBlockLayout layout, BigGanConfig config) : base(nameof(BigGanResidualBlock))
    {
        var (input, output) = layout;
        var epsilon = config.SpectralNormEpsilon;
        _convolution1 = new BigGanSpectralNormConv2d(input, output, config.KernelSize, hasBias: true, epsilon);
        _convolution2 = new BigGanSpectralNormConv2d(output, output, config.KernelSize, hasBias: true, epsilon);
        _shortcut = new BigGanSpectralNormConv2d(input, output, kernelSize: 1, hasBias: true, epsilon);
        _norm1 = new BigGanConditionalBatchNorm(input, config.ConditionSize, config.BatchNormEpsilon, epsilon);
        _norm2 = new BigGanConditionalBatchNorm(output, config.ConditionSize, config.BatchNormEpsilon, epsilon);
        register_module("conv1", _convolution1);
        register_module("conv2", _convolution2);
        register_module("conv_sc", _shortcut);
        register_module("bn1", _norm1);
        register_module("bn2", _norm2);
    }

    /// <summary>input [N, in, H, W], condition [N, cond] → [N, out, 2H, 2W].</summary>
    public Tensor Forward(Tensor input, Tensor condition)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = UpSample(nn.functional.relu(_norm1.Forward(input, condition)));   // [N, in, 2H, 2W]
        hidden = _convolution1.Forward(hidden);                                       // [N, out, 2H, 2W]
        hidden = _convolution2.Forward(nn.functional.relu(_norm2.Forward(hidden, condition)));
        var skip = _shortcut.Forward(UpSample(input));                                // [N, out, 2H, 2W]
        return (hidden + skip).MoveToOuterDisposeScope();
    }

    private static Tensor UpSample(Tensor input) =>
        nn.functional.interpolate(input, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
}
