namespace Steerability.Experiments.ModelFiles;

/// <summary>A model file that cannot be used (missing, damaged, wrong format or wrong contents); Message is one line naming the file.</summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Creates the exception for <paramref name="filePath"/> with a one-line <paramref name="reason"/>.</summary>
    public ModelFileException(string filePath, string reason, Exception? inner = null)
        : base($"model file '{filePath}': {OneLine(reason)}", inner)
    {
        FilePath = filePath;
        Reason = OneLine(reason);
    }

    /// <summary>The file the problem was found in.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with the file, without the file name.</summary>
    public string Reason { get; }

    /// <summary>Collapses a (possibly multi-line, e.g. native libtorch) message to its first non-empty line.</summary>
    internal static string OneLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "unknown problem" : lines[0];
    }
}
