using static TorchSharp.torch;

namespace Steerability.Experiments.Data;

/// <summary>A class-conditional image set held in memory: images in [-1, 1] and their class indices.</summary>
/// <param name="Name">Dataset name (shapes, mnist).</param>
/// <param name="Images">[N, 3, S, S] float32 in [-1, 1].</param>
/// <param name="Labels">[N] int64 class indices.</param>
/// <param name="ClassNames">Name of each class index.</param>
/// <param name="Fingerprint">Identifies the exact contents (source, seed, sizes) for checkpoint reuse.</param>
public sealed record LabelledImages(string Name, Tensor Images, Tensor Labels, IReadOnlyList<string> ClassNames, string Fingerprint)
{
    /// <summary>Side S of the images.</summary>
    public int ImageSize => (int)Images.shape[3];

    /// <summary>Number of images.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>Indices of the images of class <paramref name="classIndex"/>.</summary>
    public long[] IndicesOfClass(int classIndex) =>
        Labels.data<long>().Select((label, i) => (label, i)).Where(p => p.label == classIndex).Select(p => (long)p.i).ToArray();
}

/// <summary>The data a user asked for cannot be had; the message says which input and how to provide it.</summary>
public sealed class DataUnavailableException(string message) : Exception(message);
