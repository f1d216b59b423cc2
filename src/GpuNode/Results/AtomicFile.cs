namespace Steerability.GpuNode.Results;

/// <summary>Writes a file under a hidden temporary name in the same folder, then renames it over the target.</summary>
/// <remarks>A rename within one file system is atomic: a reader sees the old file or the whole new one, and a crash
/// leaves at most a `.tmp-*` file that no `*.parquet` glob picks up.</remarks>
public static class AtomicFile
{
    public static async Task WriteAsync(string path, Func<Stream, Task> write)
    {
        var temp = TempName(path);
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                await write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static void WriteAllText(string path, string text)
    {
        var temp = TempName(path);
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }

    private static string TempName(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():N}");
}
