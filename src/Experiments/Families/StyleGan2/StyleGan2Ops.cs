using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Families.StyleGan2;

/// <summary>
/// The operations of stylegan2-ada-pytorch's torch_utils/ops as their pure-PyTorch reference paths compute them
/// (the paths NVIDIA's code takes on CPU): FIR resampling, bias + activation + gain + clamp, and the modulated
/// convolution in its fused (grouped) form.
/// </summary>
public static class StyleGan2Ops
{
    /// <summary>Leaky ReLU slope of every lrelu layer.</summary>
    public const double LeakyReluSlope = 0.2;

    /// <summary>The gain applied after a leaky ReLU (def_gain of 'lrelu').</summary>
    public static readonly double LeakyReluGain = Math.Sqrt(2);

    /// <summary>x · rsqrt(mean(x², dim 1) + 1e-8): z and the label embedding are normalised this way before the mapping.</summary>
    public static Tensor NormalizeSecondMoment(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return (x * (x.square().mean([1], keepdim: true) + 1e-8).rsqrt()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// bias_act: x + b along dim 1, then leaky ReLU (when <paramref name="leakyRelu"/>), times <paramref name="gain"/>
    /// (when not 1), clamped to ±<paramref name="clamp"/> (when given) — the clamp comes after the gain.
    /// </summary>
    public static Tensor BiasActivation(Tensor x, Tensor? bias, bool leakyRelu, double gain, double? clamp)
    {
        using var scope = torch.NewDisposeScope();
        if (bias is not null)
        {
            var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray();
            shape[1] = -1;
            x = x + bias.reshape(shape);
        }
        if (leakyRelu)
        {
            x = nn.functional.leaky_relu(x, LeakyReluSlope);
        }
        if (gain != 1)
        {
            x = x * gain;
        }
        if (clamp is { } limit)
        {
            x = x.clamp(-limit, limit);
        }
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// upfirdn2d [N, C, H, W]: insert up−1 zeros after each pixel, pad by (x0, x1, y0, y1) (negative crops), convolve
    /// each channel with the 2-D filter <paramref name="filter"/> [fh, fw] scaled by <paramref name="gain"/> (flipped:
    /// a true convolution). No down-sampling (the generator never needs it).
    /// </summary>
    public static Tensor UpFirDown(Tensor x, Tensor filter, int up, (int X0, int X1, int Y0, int Y1) padding, double gain)
    {
        using var scope = torch.NewDisposeScope();
        var (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        if (up > 1)
        {
            x = x.reshape(batch, channels, height, 1, width, 1);
            x = nn.functional.pad(x, [0, up - 1, 0, 0, 0, up - 1]);
            x = x.reshape(batch, channels, height * up, width * up);
        }
        x = nn.functional.pad(x, [Math.Max(padding.X0, 0), Math.Max(padding.X1, 0), Math.Max(padding.Y0, 0), Math.Max(padding.Y1, 0)]);
        x = x[.., .., Math.Max(-padding.Y0, 0)..(int)(x.shape[2] - Math.Max(-padding.Y1, 0)), Math.Max(-padding.X0, 0)..(int)(x.shape[3] - Math.Max(-padding.X1, 0))];

        // gain ** (ndim / 2) for a 2-D filter is gain itself.
        var kernel = (filter * gain).to(x.dtype).flip(0, 1);
        kernel = kernel.unsqueeze(0).unsqueeze(0).repeat(channels, 1, 1, 1);            // [C, 1, fh, fw]
        return nn.functional.conv2d(x, kernel, groups: channels).MoveToOuterDisposeScope();
    }

    /// <summary>upsample2d: 2× up-sampling with the filter, padded so the output is exactly [N, C, 2H, 2W] (gain 4 keeps the mean).</summary>
    public static Tensor Upsample2x(Tensor x, Tensor filter)
    {
        const int up = 2;
        var (filterHeight, filterWidth) = ((int)filter.shape[0], (int)filter.shape[1]);
        var padding = ((filterWidth + up - 1) / 2, (filterWidth - up) / 2, (filterHeight + up - 1) / 2, (filterHeight - up) / 2);
        return UpFirDown(x, filter, up, padding, gain: up * up);
    }

    /// <summary>
    /// modulated_conv2d: per-sample weights weight·style (input channels scaled by styles [N, I]), optionally
    /// demodulated by rsqrt(Σ w² + 1e-8) over (I, kh, kw); up = 2 is a stride-2 transposed convolution followed by the
    /// filter with gain 4; <paramref name="noise"/> is added last. <paramref name="fused"/> (NVIDIA's default in eval
    /// mode) runs one grouped convolution of N groups over the per-sample weights; unfused scales the activations
    /// before and after one ordinary convolution, as NVIDIA's code does for training — the two differ by rounding only.
    /// </summary>
    public static Tensor ModulatedConv2d(Tensor x, Tensor weight, Tensor styles, Tensor? noise, int up, int padding, Tensor? filter, bool demodulate, bool fused = true)
    {
        using var scope = torch.NewDisposeScope();
        var batch = x.shape[0];
        var (outChannels, inChannels, kernelHeight, kernelWidth) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3]);
        if (up != 1 && filter is null)
        {
            throw new ArgumentNullException(nameof(filter), "up-sampling needs the resample filter");
        }

        Tensor? w = null;
        Tensor? coefficients = null;
        if (demodulate || fused)
        {
            w = weight.unsqueeze(0) * styles.reshape(batch, 1, -1, 1, 1);                // [N, O, I, kh, kw]
        }
        if (demodulate)
        {
            coefficients = (w!.square().sum([2, 3, 4]) + 1e-8).rsqrt();                  // [N, O]
        }

        Tensor output;
        if (!fused)
        {
            var scaled = x * styles.reshape(batch, -1, 1, 1);
            output = up == 1
                ? nn.functional.conv2d(scaled, weight, padding: [padding, padding])
                : UpsamplingConv(scaled, weight, 1, outChannels, inChannels, up, padding, filter!);
            if (coefficients is not null && noise is not null)
            {
                output = torch.addcmul(noise, output, coefficients.reshape(batch, -1, 1, 1), 1);   // NVIDIA's fma
            }
            else if (coefficients is not null)
            {
                output = output * coefficients.reshape(batch, -1, 1, 1);
            }
            else if (noise is not null)
            {
                output = output + noise;
            }
            return output.MoveToOuterDisposeScope();
        }

        if (coefficients is not null)
        {
            w = w! * coefficients.reshape(batch, -1, 1, 1, 1);
        }
        var grouped = x.reshape(1, -1, x.shape[2], x.shape[3]);                          // [1, N·I, H, W]
        w = w!.reshape(-1, inChannels, kernelHeight, kernelWidth);                      // [N·O, I, kh, kw]
        output = up == 1
            ? nn.functional.conv2d(grouped, w, padding: [padding, padding], groups: batch)
            : UpsamplingConv(grouped, w, batch, outChannels, inChannels, up, padding, filter!);
        output = output.reshape(batch, -1, output.shape[2], output.shape[3]);
        if (noise is not null)
        {
            output = output + noise;
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// conv2d_resample with up &gt; 1 and a k×k kernel (flip_weight false, as SynthesisLayer asks): the grouped weight is
    /// transposed per group for conv_transpose2d (stride up), and the padding the filter needs is split between the
    /// transposed convolution and the FIR pass exactly as NVIDIA's code does.
    /// </summary>
    private static Tensor UpsamplingConv(Tensor x, Tensor w, long groups, long outChannels, long inChannels, int up, int padding, Tensor filter)
    {
        var (kernelHeight, kernelWidth) = ((int)w.shape[2], (int)w.shape[3]);
        var (filterHeight, filterWidth) = ((int)filter.shape[0], (int)filter.shape[1]);
        var x0 = padding + (filterWidth + up - 1) / 2 - (kernelWidth - 1);
        var x1 = padding + (filterWidth - up) / 2 - (kernelWidth - up);
        var y0 = padding + (filterHeight + up - 1) / 2 - (kernelHeight - 1);
        var y1 = padding + (filterHeight - up) / 2 - (kernelHeight - up);
        var transposePadX = Math.Max(Math.Min(-x0, -x1), 0);
        var transposePadY = Math.Max(Math.Min(-y0, -y1), 0);

        var transposed = w.reshape(groups, outChannels, inChannels, kernelHeight, kernelWidth)
            .transpose(1, 2)
            .reshape(groups * inChannels, outChannels, kernelHeight, kernelWidth);     // [N·I, O, kh, kw]
        var y = nn.functional.conv_transpose2d(x, transposed, strides: [up, up], padding: [transposePadY, transposePadX], groups: groups);
        return UpFirDown(y, filter, 1, (x0 + transposePadX, x1 + transposePadX, y0 + transposePadY, y1 + transposePadY), gain: up * up);
    }
}
