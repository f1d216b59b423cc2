namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// One coordinator per sweep folder: an exclusive lock on `OUT/.SWEEP.lock` (beside the folder, so it also covers
/// `--new-sweep` moving the folder aside), held for as long as the coordinator runs. The operating system releases it
/// when the process ends in any way, kill -9 included, so a stale lock never needs removing by hand. Who holds it is
/// written beside it (`.SWEEP.lock.holder`) for the refusal message.
/// </summary>
/// <remarks>On Linux and macOS .NET takes the lock with flock(2) when a file is opened with FileShare.None.</remarks>
public sealed class SweepLock : IDisposable
{
    private readonly FileStream _stream;

    private SweepLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    /// <summary>The lock file of a sweep folder.</summary>
    public static string PathFor(string sweepDir)
    {
        var full = System.IO.Path.GetFullPath(sweepDir).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{System.IO.Path.GetFileName(full)}.lock");
    }

    /// <summary>Takes the lock or throws <see cref="SweepFolderException"/> naming who holds it.</summary>
    public static SweepLock Acquire(string sweepDir, string command)
    {
        var path = PathFor(sweepDir);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new SweepFolderException($"{sweepDir}: in use by another coordinator ({Holder(path)}; lock {path}); " +
                "accepted: wait for it to end, or use another --out");
        }
        // .NET takes a shared lock on every open, so no one could read the holder from the locked file itself.
        File.WriteAllText(path + ".holder", $"pid {Environment.ProcessId} on {Environment.MachineName}, steer {command} since {DateTimeOffset.UtcNow:u}");
        return new SweepLock(stream, path);
    }

    public void Dispose() => _stream.Dispose();

    private static string Holder(string path)
    {
        try
        {
            var text = File.Exists(path + ".holder") ? File.ReadAllText(path + ".holder").Trim() : "";
            return text.Length > 0 ? text : "holder unknown";
        }
        catch (IOException)
        {
            return "holder unknown";
        }
    }
}
