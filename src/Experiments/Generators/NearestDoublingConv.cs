using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Steerability.Experiments.Generators;

/// <summary>
/// Nearest-neighbour ×2 upsampling followed by a 3×3 convolution (padding 1), computed without the upsampled image:
/// each of the four output pixel phases (row parity r, column parity s) sees a 3×3 neighbourhood of the low-resolution
/// input with some taps summed, so the layer is one 3×3 convolution at the input's size with 4× the output channels,
/// then a pixel shuffle. The result equals <c>conv3x3(upsample(x))</c> up to float rounding and has the same parameters
/// (<c>weight</c> [out, in, 3, 3], optional <c>bias</c> [out]), so checkpoints are unchanged.
/// </summary>
/// <remarks>
/// Why: with oneDNN capped at SSE4.1 (see docs/cpu-kernels.md) the direct form ran the generator's last layer (16→3
/// channels at 32×32) through a slow GEMM path and spent more time in the upsampling's backward than in the
/// convolution; this form does 2.25× fewer multiply-adds at a quarter of the positions, and its shapes are the
/// ordinary 3×3 stride-1 shapes the float64 agreement tests check.
/// </remarks>
public sealed class NearestDoublingConv : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;                                                           // [out, in, 3, 3]

    [ComponentName(Name = "bias")]
    private Parameter? _bias;                                                            // [out]

    /// <summary>Initialised as <c>Conv2d(inputs, outputs, 3, padding: 1)</c> is, drawing the same random numbers.</summary>
    public NearestDoublingConv(long inputs, long outputs, bool bias = true) : base("NearestDoublingConv")
    {
        using var initial = nn.Conv2d(inputs, outputs, 3, padding: 1, bias: bias);
        _weight = new Parameter(initial.weight!.detach().clone());
        _bias = bias ? new Parameter(initial.bias!.detach().clone()) : null;
        register_parameter("weight", _weight);
        if (_bias is not null)
        {
            register_parameter("bias", _bias);
        }
    }

    public Parameter Weight => _weight;

    public Parameter? Bias => _bias;

    public override Tensor forward(Tensor input) => Apply(input, _weight, _bias);

    /// <summary>
    /// <c>conv2d(upsample_nearest_x2(input), weight, bias, padding: 1)</c> in the phase form. input [N, in, H, W],
    /// weight [out, in, 3, 3], bias [out] or null; returns [N, out, 2H, 2W].
    /// </summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        var outputs = weight.shape[0];
        var phases = new List<Tensor>(4);
        foreach (var rowParity in (int[])[0, 1])
        {
            var rows = FoldTaps(weight, dim: 2, rowParity);
            foreach (var columnParity in (int[])[0, 1])
            {
                phases.Add(FoldTaps(rows, dim: 3, columnParity));
            }
        }
        // Channel o·4 + r·2 + s holds phase (r, s) of output channel o: the order pixel_shuffle reads.
        var kernels = torch.stack(phases, dim: 1).reshape(outputs * 4, weight.shape[1], 3, 3);
        var biases = bias?.repeat_interleave(4);
        var low = nn.functional.conv2d(input, kernels, biases, padding: [1, 1]);             // [N, 4·out, H, W]
        return nn.functional.pixel_shuffle(low, 2).MoveToOuterDisposeScope();               // [N, out, 2H, 2W]
    }

    /// <summary>
    /// The taps one output parity applies to the low-resolution neighbours at offsets −1, 0, +1 along <paramref name="dim"/>.
    /// Upsampled pixel 2m+p reads input m + ⌊(p + a)/2⌋ through tap a ∈ {−1, 0, 1}: parity 0 reads m−1 with tap −1 and
    /// m with taps 0 and +1; parity 1 reads m with taps −1 and 0 and m+1 with tap +1. Zero padding agrees at both edges.
    /// </summary>
    private static Tensor FoldTaps(Tensor weight, long dim, int parity)
    {
        var before = weight.narrow(dim, 0, 1);
        var centre = weight.narrow(dim, 1, 1);
        var after = weight.narrow(dim, 2, 1);
        var zero = torch.zeros_like(before);
        return parity == 0
            ? torch.cat([before, centre + after, zero], dim)
            : torch.cat([zero, before + centre, after], dim);
    }
}
