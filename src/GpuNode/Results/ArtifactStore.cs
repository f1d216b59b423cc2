using Steerability.GpuNode.Contract;
using System.Security.Cryptography;
using System.Text;

namespace Steerability.GpuNode.Results;

/// <summary>
/// Generator checkpoints, addressed by the key of the trial that produced them (a hash of its whole configuration),
/// on a folder every node sees. A checkpoint is built in a temporary folder and renamed into place when complete,
/// with a `CHECKSUMS` file listing the SHA-256 of each file, so a reader either finds a whole checkpoint or none.
/// </summary>
public sealed class ArtifactStore(string root)
{
    public const string ChecksumsFile = "CHECKSUMS";

    public string Root { get; } = Path.GetFullPath(root);

    public string PathFor(string key) => Path.Combine(Root, key);

    public bool Contains(string key) => File.Exists(Path.Combine(PathFor(key), ChecksumsFile));

    /// <summary>An empty folder to build an artifact in; pass it to <see cref="Publish"/> when done.</summary>
    public string NewStaging(string key)
    {
        var staging = Path.Combine(Root, $".staging-{key}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Moves a staging folder into place; when another attempt got there first, keeps that one.</summary>
    public string Publish(string key, string staging)
    {
        var sums = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            sums.Append(Convert.ToHexStringLower(SHA256.HashData(stream))).Append("  ")
                .Append(Path.GetRelativePath(staging, file)).Append('\n');
        }
        File.WriteAllText(Path.Combine(staging, ChecksumsFile), sums.ToString());
        foreach (var file in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories))
        {
            Durable.FlushFile(file);
        }
        Durable.FlushFolder(staging);
        var target = PathFor(key);
        try
        {
            Directory.Move(staging, target);
            Durable.FlushFolder(Root);
        }
        catch (IOException) when (Contains(key))
        {
            // Same key, same configuration: the other attempt's checkpoint is as good as this one.
            Directory.Delete(staging, recursive: true);
        }
        return target;
    }

    /// <summary>
    /// The files of a published checkpoint with their SHA-256 (from its `CHECKSUMS`), and `CHECKSUMS` itself, as
    /// paths relative to <see cref="Root"/>: what the ledger records, so a resume can tell a changed or missing one.
    /// </summary>
    public Contract.PublishedFile[] Files(string key)
    {
        var checksums = Path.Combine(PathFor(key), ChecksumsFile);
        var files = File.ReadAllLines(checksums)
            .Where(line => line.Length > 0)
            .Select(line => line.Split("  ", 2))
            .Select(parts => new Contract.PublishedFile(Contract.PublishedFile.ArtifactTable, $"{key}/{parts[1]}", 0, parts[0]))
            .ToList();
        using (var stream = File.OpenRead(checksums))
        {
            files.Add(new Contract.PublishedFile(Contract.PublishedFile.ArtifactTable, $"{key}/{ChecksumsFile}", 0,
                Convert.ToHexStringLower(SHA256.HashData(stream))));
        }
        return [.. files];
    }
}
