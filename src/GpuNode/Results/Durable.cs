using System.Runtime.InteropServices;

namespace Steerability.GpuNode.Results;

/// <summary>
/// Makes writes and renames survive a power cut or kernel crash: a file's data is flushed before it is renamed into
/// place, and the folder holding a rename is flushed after it, since a rename lives in the folder, not the file.
/// </summary>
/// <remarks>.NET has no call that flushes a folder; on Linux and macOS it is open(2) + fsync(2) on the folder. On
/// Windows a folder cannot be flushed this way and NTFS journals renames itself, so the call does nothing there.</remarks>
public static class Durable
{
    /// <summary>Flushes a file's data and metadata to disk.</summary>
    public static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Flushes a folder's entries (the renames, creations and deletions in it) to disk.</summary>
    public static void FlushFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fd = Open(folder, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"{folder}: cannot open the folder to flush it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"{folder}: fsync failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>Renames a file and flushes the folder it now lies in (and the one it left, when another).</summary>
    public static void Move(string source, string target, bool overwrite)
    {
        File.Move(source, target, overwrite);
        FlushFolder(Path.GetDirectoryName(Path.GetFullPath(target))!);
        var from = Path.GetDirectoryName(Path.GetFullPath(source))!;
        if (from != Path.GetDirectoryName(Path.GetFullPath(target)))
        {
            FlushFolder(from);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
