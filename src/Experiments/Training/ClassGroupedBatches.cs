using Steerability.Experiments.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.Training;

/// <summary>
/// Draws training batches as consecutive groups of images of one class (classes and images uniformly, with
/// replacement), so that a discriminator can measure each class's spread within its group.
/// </summary>
public sealed class ClassGroupedBatches
{
    private readonly long[][] _indicesByClass;
    private readonly int _count;
    private readonly int _groupSize;

    /// <param name="data">The images to draw from; every class must have at least one image.</param>
    /// <param name="groupSize">Images per group; 1 draws images uniformly over the whole set.</param>
    public ClassGroupedBatches(LabelledImages data, int groupSize)
    {
        if (groupSize < 1)
        {
            throw new ArgumentException($"minibatch_group: {groupSize} is not accepted; use a positive group size");
        }
        _groupSize = groupSize;
        _count = data.Count;
        _indicesByClass = Enumerable.Range(0, data.ClassNames.Count)
            .Select(data.IndicesOfClass)
            .Where(members => members.Length > 0)
            .ToArray();
    }

    /// <summary>Indices [batch] into the data: groups of one class each (the last group may be shorter).</summary>
    public Tensor Draw(int batch, Random random, Device device)
    {
        var picked = new long[batch];
        if (_groupSize == 1)
        {
            for (var i = 0; i < batch; i++)
            {
                picked[i] = random.Next(_count);
            }
            return torch.tensor(picked, device: device);
        }
        for (var start = 0; start < batch; start += _groupSize)
        {
            var members = _indicesByClass[random.Next(_indicesByClass.Length)];
            for (var i = start; i < Math.Min(batch, start + _groupSize); i++)
            {
                picked[i] = members[random.Next(members.Length)];
            }
        }
        return torch.tensor(picked, device: device);
    }
}
