using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Steerability.Experiments.Perceptual;

/// <summary>The ImageNet classifiers LPIPS v0.1 is defined on.</summary>
public enum LpipsNet
{
    /// <summary>torchvision's AlexNet (the one-weird-trick variant, 64-192-384-256-256 channels); the authors' choice.</summary>
    Alex,

    /// <summary>torchvision's VGG-16 without batch norm (configuration D).</summary>
    Vgg16,
}

/// <summary>One layer of a torchvision <c>features</c> stack, at its index in that <c>nn.Sequential</c>.</summary>
/// <param name="Index">The torchvision index, which names the convolution's keys (<c>features.{Index}.weight</c>).</param>
/// <param name="Kind">Convolution, ReLU or max-pool.</param>
/// <param name="InChannels">Convolution input channels (0 otherwise).</param>
/// <param name="OutChannels">Convolution output channels (0 otherwise).</param>
/// <param name="Kernel">Square kernel side of a convolution or max-pool.</param>
/// <param name="Stride">Stride of a convolution or max-pool.</param>
/// <param name="Padding">Zero padding of a convolution (max-pools have none).</param>
/// <param name="Tap">True for the ReLUs whose outputs LPIPS compares.</param>
public sealed record FeatureLayer(int Index, FeatureLayerKind Kind, int InChannels, int OutChannels, int Kernel, int Stride, int Padding, bool Tap);

/// <summary>What a <see cref="FeatureLayer"/> computes.</summary>
public enum FeatureLayerKind
{
    /// <summary><c>nn.Conv2d</c> with bias.</summary>
    Convolution,

    /// <summary><c>nn.ReLU</c>.</summary>
    Relu,

    /// <summary><c>nn.MaxPool2d</c> (no padding, floor mode).</summary>
    MaxPool,
}

/// <summary>
/// The convolutional trunk of an ImageNet classifier as torchvision builds it (<c>model.features</c>), up to the last
/// layer LPIPS reads, with frozen weights under torchvision's key names. Forward returns the tapped ReLU outputs.
/// </summary>
/// <remarks>
/// The layer lists follow torchvision's source (torchvision/models/alexnet.py and vgg.py, alike in the 2018 and the
/// 2021-22 sources read; the fixture's 0.14.1 gives these shapes). AlexNet: <c>Conv2d(3, 64, 11, stride 4, padding 2)</c>,
/// ReLU, <c>MaxPool2d(3, 2)</c>, <c>Conv2d(64, 192, 5, padding 2)</c>, ReLU, <c>MaxPool2d(3, 2)</c>, then 3×3 convolutions
/// with padding 1 to 384, 256, 256, each followed by a ReLU. VGG-16 (cfg D): 3×3 convolutions with padding 1, each
/// followed by a ReLU, and <c>MaxPool2d(2, 2)</c> after each block of 64, 64 | 128, 128 | 256 × 3 | 512 × 3 | 512 × 3.
/// LPIPS (lpips/pretrained_networks.py) taps AlexNet at the ReLUs 1, 4, 7, 9, 11 and VGG-16 at relu1_2, relu2_2,
/// relu3_3, relu4_3, relu5_3 (indices 3, 8, 15, 22, 29); each net's final max-pool comes after its last tap and is left out.
/// </remarks>
public sealed class TorchvisionFeatures : nn.Module<Tensor, Tensor[]>
{
    private readonly FeatureLayer[] _layers;
    private readonly Dictionary<int, FrozenConv2d> _convolutions = [];
    private readonly Container _features;

    /// <summary>Creates the trunk of <paramref name="net"/> with uninitialised (zero) weights; load them with <see cref="LpipsLoader"/>.</summary>
    public TorchvisionFeatures(LpipsNet net) : base($"{net}Features")
    {
        Net = net;
        _layers = Layers(net).ToArray();
        _features = new Container();
        foreach (var layer in _layers.Where(layer => layer.Kind == FeatureLayerKind.Convolution))
        {
            var convolution = new FrozenConv2d(layer.OutChannels, layer.InChannels, layer.Kernel, hasBias: true);
            _convolutions[layer.Index] = convolution;
            _features.Add(layer.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), convolution);
        }
        register_module("features", _features);
        TapChannels = _layers.Where(layer => layer.Tap).Select(layer => ChannelsAt(layer.Index)).ToArray();
    }

    /// <summary>Which classifier this is.</summary>
    public LpipsNet Net { get; }

    /// <summary>Channels of each tapped layer, in order (AlexNet 64, 192, 384, 256, 256; VGG-16 64, 128, 256, 512, 512).</summary>
    public IReadOnlyList<int> TapChannels { get; }

    /// <summary>The smallest square input side the trunk accepts (every layer keeps at least one pixel).</summary>
    public int MinimumInputSize => Net == LpipsNet.Alex ? 31 : 16;

    /// <summary>The torchvision layers of <paramref name="net"/> up to its last LPIPS tap.</summary>
    public static IEnumerable<FeatureLayer> Layers(LpipsNet net) => net switch
    {
        LpipsNet.Alex =>
        [
            Convolution(0, 3, 64, kernel: 11, stride: 4, padding: 2), Relu(1, tap: true), MaxPool(2, kernel: 3, stride: 2),
            Convolution(3, 64, 192, kernel: 5, stride: 1, padding: 2), Relu(4, tap: true), MaxPool(5, kernel: 3, stride: 2),
            Convolution(6, 192, 384, kernel: 3, stride: 1, padding: 1), Relu(7, tap: true),
            Convolution(8, 384, 256, kernel: 3, stride: 1, padding: 1), Relu(9, tap: true),
            Convolution(10, 256, 256, kernel: 3, stride: 1, padding: 1), Relu(11, tap: true),
        ],
        LpipsNet.Vgg16 => VggLayers(),
        _ => throw new ArgumentOutOfRangeException(nameof(net), net, "unknown LPIPS net"),
    };

    /// <summary>The state-dict keys the trunk reads (<c>features.{i}.weight</c> and <c>.bias</c>) with their shapes.</summary>
    public IEnumerable<(string Key, long[] Shape)> ExpectedKeys()
    {
        foreach (var layer in _layers.Where(layer => layer.Kind == FeatureLayerKind.Convolution))
        {
            yield return ($"features.{layer.Index}.weight", [layer.OutChannels, layer.InChannels, layer.Kernel, layer.Kernel]);
            yield return ($"features.{layer.Index}.bias", [layer.OutChannels]);
        }
    }

    /// <summary>The weight (or bias) parameter stored under the torchvision key <paramref name="key"/>.</summary>
    internal Tensor Parameter(string key)
    {
        var parts = key.Split('.');
        var convolution = _convolutions[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)];
        return parts[2] == "weight" ? convolution.Weight : convolution.Bias!;
    }

    /// <summary>Scaled images [N, 3, H, W] → the tapped ReLU outputs, e.g. AlexNet at 64×64: [N, 64, 15, 15], [N, 192, 7, 7], [N, 384, 3, 3], [N, 256, 3, 3] ×2.</summary>
    public override Tensor[] forward(Tensor input)
    {
        var taps = new List<Tensor>(5);
        var hidden = input;
        foreach (var layer in _layers)
        {
            hidden = layer.Kind switch
            {
                FeatureLayerKind.Convolution => _convolutions[layer.Index].Apply(hidden, layer.Stride, layer.Padding),
                FeatureLayerKind.Relu => nn.functional.relu(hidden),
                _ => nn.functional.max_pool2d(hidden, layer.Kernel, layer.Stride),
            };
            if (layer.Tap)
            {
                taps.Add(hidden);
            }
        }
        return taps.ToArray();
    }

    /// <summary>Intentionally empty: children are registered by hand under torchvision's names, not under field names.</summary>
    protected override void RegisterComponents()
    {
    }

    private int ChannelsAt(int index) => _layers.Last(layer => layer.Index < index && layer.Kind == FeatureLayerKind.Convolution).OutChannels;

    private static IEnumerable<FeatureLayer> VggLayers()
    {
        // torchvision cfgs["D"]; 'M' is MaxPool2d(2, 2). The taps are the last ReLU of each block.
        object[] configuration = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512];
        var index = 0;
        var inChannels = 3;
        for (var position = 0; position < configuration.Length; position++)
        {
            if (configuration[position] is int outChannels)
            {
                var lastOfBlock = position + 1 == configuration.Length || configuration[position + 1] is string;
                yield return Convolution(index++, inChannels, outChannels, kernel: 3, stride: 1, padding: 1);
                yield return Relu(index++, tap: lastOfBlock);
                inChannels = outChannels;
            }
            else
            {
                yield return MaxPool(index++, kernel: 2, stride: 2);
            }
        }
    }

    private static FeatureLayer Convolution(int index, int inChannels, int outChannels, int kernel, int stride, int padding) =>
        new(index, FeatureLayerKind.Convolution, inChannels, outChannels, kernel, stride, padding, Tap: false);

    private static FeatureLayer Relu(int index, bool tap = false) => new(index, FeatureLayerKind.Relu, 0, 0, 0, 0, 0, tap);

    private static FeatureLayer MaxPool(int index, int kernel, int stride) => new(index, FeatureLayerKind.MaxPool, 0, 0, kernel, stride, 0, Tap: false);

    /// <summary>A module that only holds children registered by name (torchvision's numeric <c>nn.Sequential</c> names).</summary>
    private sealed class Container : nn.Module
    {
        public Container() : base("features")
        {
        }

        public void Add(string name, nn.Module module) => register_module(name, module);

        /// <summary>Intentionally empty: see <see cref="Add"/>.</summary>
        protected override void RegisterComponents()
        {
        }
    }
}

/// <summary>A convolution whose weight and bias never train (requires_grad false), computed with its stride and padding given per call.</summary>
internal sealed class FrozenConv2d : nn.Module
{
    // Not readonly, and named for their registered names: Module.to(device or dtype) replaces registered tensors and
    // assigns the new ones to the fields whose [ComponentName] matches.
    [ComponentName(Name = "weight")]
    private Parameter _weight;                                                           // [out, in, k, k]

    [ComponentName(Name = "bias")]
    private Parameter? _bias;                                                            // [out]

    public FrozenConv2d(int outChannels, int inChannels, int kernel, bool hasBias) : base(nameof(FrozenConv2d))
    {
        _weight = new Parameter(torch.zeros(outChannels, inChannels, kernel, kernel), requires_grad: false);
        register_parameter("weight", _weight);
        if (hasBias)
        {
            _bias = new Parameter(torch.zeros(outChannels), requires_grad: false);
            register_parameter("bias", _bias);
        }
    }

    public Tensor Weight => _weight;

    public Tensor? Bias => _bias;

    public Tensor Apply(Tensor input, int stride, int padding) =>
        nn.functional.conv2d(input, _weight, _bias, strides: [stride, stride], padding: [padding, padding]);

    /// <summary>Intentionally empty: weight and bias are registered by hand, under their torch names.</summary>
    protected override void RegisterComponents()
    {
    }
}
