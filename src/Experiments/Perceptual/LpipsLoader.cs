using Steerability.Experiments.Generators;
using Steerability.Experiments.ModelFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Perceptual;

/// <summary>
/// Builds an <see cref="Lpips"/> from the two files a user brings (nothing is downloaded): the classifier's state dict
/// with torchvision's key names and the linear heads with lpips' key names, each as safetensors or torch.save (zip or
/// legacy), whichever <see cref="StateDictFile"/> recognises from the bytes.
/// </summary>
public static class LpipsLoader
{
    /// <summary>
    /// Reads <paramref name="trunkPath"/> (e.g. torchvision's alexnet-owt-7be5be79.pth or vgg16-397923af.pth: every
    /// <c>features.{i}.weight</c> and <c>.bias</c> the trunk uses; other keys such as <c>classifier.*</c> are ignored)
    /// and <paramref name="headsPath"/> (e.g. lpips/weights/v0.1/alex.pth: <c>lin{k}.model.1.weight</c> [1, C, 1, 1] for
    /// k = 0..4) and returns the frozen distance on CPU. A missing key, a wrong shape or a file that is not a state dict
    /// throws a one-line <see cref="ModelFileException"/> naming the file, the key and what was expected.
    /// </summary>
    public static Lpips Load(LpipsNet net, string trunkPath, string headsPath)
    {
        // The module is made outside the scope that holds the files' tensors, which would otherwise dispose its weights.
        var lpips = new Lpips(net);
        try
        {
            using var scope = torch.NewDisposeScope();
            Fill(lpips, StateDictFile.Read(trunkPath), trunkPath, StateDictFile.Read(headsPath), headsPath);
            return lpips;
        }
        catch
        {
            lpips.Dispose();
            throw;
        }
    }

    /// <summary>
    /// As <see cref="Load"/>, from state dicts already in memory; <paramref name="trunkSource"/> and
    /// <paramref name="headsSource"/> name them in error messages.
    /// </summary>
    public static Lpips FromStateDicts(
        LpipsNet net, IReadOnlyDictionary<string, Tensor> trunk, string trunkSource, IReadOnlyDictionary<string, Tensor> heads, string headsSource)
    {
        var lpips = new Lpips(net);
        try
        {
            Fill(lpips, trunk, trunkSource, heads, headsSource);
            return lpips;
        }
        catch
        {
            lpips.Dispose();
            throw;
        }
    }

    /// <summary>Checks every key and shape first, then copies: a refused file leaves no half-loaded module behind.</summary>
    private static void Fill(Lpips lpips, IReadOnlyDictionary<string, Tensor> trunk, string trunkSource, IReadOnlyDictionary<string, Tensor> heads, string headsSource)
    {
        var net = lpips.Net;
        var netName = net == LpipsNet.Alex ? "AlexNet" : "VGG-16";
        var trunkCopies = lpips.Trunk.ExpectedKeys()
            .Select(expected => (Target: lpips.Trunk.Parameter(expected.Key),
                Source: Checked(trunk, trunkSource, expected.Key, expected.Shape, $"torchvision {netName} features", TrunkHint(trunk, expected.Key))))
            .ToList();
        var headCopies = Enumerable.Range(0, lpips.LayerCount)
            .Select(layer => (Target: lpips.HeadWeight(layer),
                Source: Checked(heads, headsSource, HeadKey(layer), lpips.HeadWeight(layer).shape, $"LPIPS v0.1 {lpips.NetName} heads", HeadsHint(heads))))
            .ToList();
        using (torch.no_grad())
        {
            foreach (var (target, source) in trunkCopies.Concat(headCopies))
            {
                // copy_ also converts half-precision files to the module's float32.
                target.copy_(source);
            }
        }
    }

    /// <summary>The lpips key of layer <paramref name="layer"/>'s head (index 1 of its Sequential: a Dropout sits at 0).</summary>
    public static string HeadKey(int layer) => $"lin{layer}.model.1.weight";

    private static Tensor Checked(IReadOnlyDictionary<string, Tensor> tensors, string source, string key, long[] shape, string what, string hint)
    {
        if (!tensors.TryGetValue(key, out var tensor))
        {
            throw new ModelFileException(source, $"missing key '{key}' ({what} need it, shape {Shape(shape)}){hint}");
        }
        if (!tensor.shape.SequenceEqual(shape))
        {
            throw new ModelFileException(source, $"key '{key}' has shape {Shape(tensor.shape)}, {what} need {Shape(shape)}");
        }
        if (!tensor.is_floating_point())
        {
            throw new ModelFileException(source, $"key '{key}' holds {tensor.dtype} values, {what} need floating point");
        }
        return tensor;
    }

    /// <summary>A hint for the usual wrong trunk files: `model.features.state_dict()` (keys without `features.`) or a heads file.</summary>
    private static string TrunkHint(IReadOnlyDictionary<string, Tensor> tensors, string key)
    {
        var bare = key["features.".Length..];
        if (tensors.ContainsKey(bare))
        {
            return $"; the file has '{bare}': save the whole classifier's state_dict(), not its .features";
        }
        if (tensors.ContainsKey(HeadKey(0)))
        {
            return "; this looks like an LPIPS heads file, not the classifier's weights";
        }
        return "";
    }

    private static string HeadsHint(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.Keys.Any(name => name.StartsWith("features.", StringComparison.Ordinal))
            ? "; this looks like the classifier's weights, not an LPIPS heads file"
            : "";

    private static string Shape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
