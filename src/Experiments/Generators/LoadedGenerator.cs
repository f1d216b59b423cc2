namespace Steerability.Experiments.Generators;

/// <summary>A generator ready for walks, with the names of its classes and a line saying where it came from.</summary>
/// <param name="CheckpointFolder">The checkpoint folder it was loaded from or trained into, for a generator trained here.</param>
/// <param name="Note">A line for the user about how it was got (e.g. trained now, or reused), if any.</param>
public sealed record LoadedGenerator(IImageGenerator Generator, IReadOnlyList<string> ClassNames, string Source, string? CheckpointFolder = null, string? Note = null) : IDisposable
{
    public void Dispose() => Generator.Dispose();

    /// <summary>Class names for a generator without names of its own: its indices, or "none" when it is unconditional.</summary>
    public static IReadOnlyList<string> IndexNames(int classCount) =>
        classCount > 0 ? Enumerable.Range(0, classCount).Select(i => i.ToString()).ToArray() : ["none"];
}
