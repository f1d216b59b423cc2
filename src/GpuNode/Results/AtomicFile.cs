namespace Steerability.GpuNode.Results;

/// <summary>Writes a file under a hidden temporary name in the same folder, then renames it over the target.</summary>
/// <remarks>A rename within one file system is atomic: a reader sees the old file or the whole new one, and a crash
/// leaves at most a `.tmp-*` file that no `*.parquet` glob picks up. Data is flushed before the rename and the folder
/// after it (<see cref="Durable"/>), so a power cut leaves the old file or the new one, never an empty one.</remarks>
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
            Durable.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static void WriteAllText(string path, string text) => WriteAllText(path, text, overwrite: true);

    /// <summary>
    /// Writes a text file whole; with <paramref name="overwrite"/> false an existing file is kept and false returned
    /// (the rename is a link that fails when the name is taken, so two writers cannot both win).
    /// </summary>
    public static bool WriteAllText(string path, string text, bool overwrite)
    {
        var temp = TempName(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            try
            {
                Durable.Move(temp, path, overwrite);
                return true;
            }
            catch (IOException) when (!overwrite && File.Exists(path))
            {
                return false;
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static string TempName(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.tmp-{Guid.NewGuid():N}");
}
