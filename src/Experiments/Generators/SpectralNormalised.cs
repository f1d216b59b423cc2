using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Steerability.Experiments.Generators;

/// <summary>
/// A convolution or linear layer whose weight is divided by its largest singular value σ, estimated with one
/// power iteration per training step (Miyato et al. 2018). It keeps the discriminator 1-Lipschitz-ish, which is
/// what lets a small GAN train reliably in a few thousand steps on a CPU.
/// </summary>
public sealed class SpectralNormalised : nn.Module<Tensor, Tensor>
{
    // Not readonly, and named for their registered names: Module.to(device or dtype) replaces registered tensors and
    // assigns the new ones to the fields whose [ComponentName] matches. With u unnamed, a discriminator moved to a GPU
    // or to float64 kept the disposed CPU vector and failed on its first forward pass.
    [ComponentName(Name = "weight")]
    private Parameter _weight;                                                           // [out, in, (k, k)]

    [ComponentName(Name = "bias")]
    private Parameter _bias;                                                             // [out]

    [ComponentName(Name = "u")]
    private Tensor _leftVector;                                                          // u [out]
    private readonly long _stride;
    private readonly long _padding;
    private readonly bool _convolution;

    private SpectralNormalised(string name, Tensor weight, long stride, long padding, bool convolution) : base(name)
    {
        var outputs = weight.shape[0];
        _weight = new Parameter(weight);                                                 // takes over the tensor's handle
        _bias = new Parameter(torch.zeros(outputs));
        _leftVector = nn.functional.normalize(torch.randn(outputs), dim: 0);
        _stride = stride;
        _padding = padding;
        _convolution = convolution;
        register_parameter("weight", _weight);
        register_parameter("bias", _bias);
        register_buffer("u", _leftVector);
    }

    /// <summary>A k×k convolution with the given stride and padding.</summary>
    public static SpectralNormalised Conv2d(long inputs, long outputs, long kernel, long stride, long padding)
    {
        var bound = 1.0 / Math.Sqrt(inputs * kernel * kernel);
        return new SpectralNormalised("SNConv2d", torch.empty(outputs, inputs, kernel, kernel).uniform_(-bound, bound), stride, padding, convolution: true);
    }

    /// <summary>A fully connected layer.</summary>
    public static SpectralNormalised Linear(long inputs, long outputs)
    {
        var bound = 1.0 / Math.Sqrt(inputs);
        return new SpectralNormalised("SNLinear", torch.empty(outputs, inputs).uniform_(-bound, bound), 1, 0, convolution: false);
    }

    public override Tensor forward(Tensor input)
    {
        var matrix = _weight.view(_weight.shape[0], -1);                                 // [out, fan_in]
        Tensor left, right;
        using (torch.no_grad())
        {
            right = nn.functional.normalize(torch.mv(matrix.t(), _leftVector), dim: 0);     // v [fan_in]
            if (training)
            {
                _leftVector.copy_(nn.functional.normalize(torch.mv(matrix, right), dim: 0));
                right = nn.functional.normalize(torch.mv(matrix.t(), _leftVector), dim: 0);
            }
            // A copy: the next forward pass updates u in place while this pass's graph still needs its value.
            left = _leftVector.clone();
        }
        var sigma = torch.dot(left, torch.mv(matrix, right));
        var weight = _weight / sigma;
        return _convolution
            ? nn.functional.conv2d(input, weight, _bias, strides: [_stride, _stride], padding: [_padding, _padding])
            : nn.functional.linear(input, weight, _bias);
    }
}
