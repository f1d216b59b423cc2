using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.ModelFiles;

/// <summary>Reads a `torch.save` zip archive: `archive/data.pkl` holds the dict, `archive/data/KEY` each storage's raw bytes.</summary>
internal static class TorchZipReader
{
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var file = File.OpenRead(path);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException error)
        {
            throw new ModelFileException(path, $"truncated or damaged PyTorch zip file ({error.Message})", error);
        }
        using (archive)
        {
            var pickleEntry = archive.Entries
                .Where(entry => entry.FullName == "data.pkl" || entry.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))
                .OrderBy(entry => entry.FullName.Length)
                .FirstOrDefault()
                ?? throw new ModelFileException(path, "PyTorch zip file has no data.pkl entry");
            var prefix = pickleEntry.FullName[..^"data.pkl".Length];

            var byteOrder = archive.GetEntry(prefix + "byteorder");
            if (byteOrder is not null)
            {
                using var reader = new StreamReader(byteOrder.Open());
                var order = reader.ReadToEnd().Trim();
                if (order != "little")
                {
                    throw new ModelFileException(path, $"PyTorch zip file is {order}-endian; only little-endian is supported");
                }
            }

            object? root;
            using (var pickle = new MemoryStream())
            {
                using (var entryStream = pickleEntry.Open())
                {
                    entryStream.CopyTo(pickle);
                }
                pickle.Position = 0;
                root = TorchPickleMachine.Load(pickle);
            }

            return TorchStateDict.Materialize(path, root, storage =>
            {
                var entry = archive.GetEntry(prefix + "data/" + storage.Key)
                    ?? throw new ModelFileException(path, $"damaged PyTorch zip file (storage entry '{prefix}data/{storage.Key}' missing)");
                var byteCount = storage.ElementCount * StateDictFile.ElementSize(storage.ElementType);
                if (entry.Length < byteCount)
                {
                    throw new ModelFileException(path, $"truncated PyTorch zip file (storage '{storage.Key}' has {entry.Length} of {byteCount} bytes)");
                }
                var bytes = new byte[byteCount];
                using var entryStream = entry.Open();
                entryStream.ReadExactly(bytes);
                return StateDictFile.TensorFromBytes(bytes, storage.ElementType, [storage.ElementCount]);
            });
        }
    }
}

/// <summary>
/// Reads PyTorch's legacy (non-zip) `torch.save` stream: four pickles (magic number, protocol version, system info,
/// the state dict with storages as persistent ids), a pickled list of storage keys, then for each key in that order
/// its element count (int64) and raw bytes.
/// </summary>
internal static class TorchLegacyReader
{
    private static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356");
    private const long ProtocolVersion = 1001;

    public static Dictionary<string, Tensor> Read(string path)
    {
        using var file = File.OpenRead(path);
        using var stream = new BufferedStream(file, 1 << 20);

        var magic = TorchPickleMachine.Load(stream);
        if (magic is not BigInteger number || number != MagicNumber)
        {
            throw new ModelFileException(path, "not a legacy PyTorch file (wrong magic number)" + StateDictFile.LegacyConversionHint);
        }
        if (TorchPickleMachine.Load(stream) is not long protocol || protocol != ProtocolVersion)
        {
            throw new ModelFileException(path, "unsupported legacy PyTorch protocol version" + StateDictFile.LegacyConversionHint);
        }
        if (TorchPickleMachine.Load(stream) is Dictionary<object, object?> systemInfo
            && systemInfo.TryGetValue("little_endian", out var littleEndian) && littleEndian is false)
        {
            throw new ModelFileException(path, "legacy PyTorch file is big-endian; only little-endian is supported");
        }
        var root = TorchPickleMachine.Load(stream);
        var keys = TorchPickleMachine.Load(stream) as List<object?>
            ?? throw new ModelFileException(path, "damaged legacy PyTorch file (storage key list missing)");

        // Storages follow in key-list order; read them all now, since the stream cannot be revisited cheaply.
        var referenced = TorchStateDict.StorageReferences(root);
        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var countBytes = new byte[8];
        foreach (var key in keys.Select(key => key as string ?? throw new ModelFileException(path, "damaged legacy PyTorch file (storage key is not a string)")))
        {
            if (!referenced.TryGetValue(key, out var storage))
            {
                throw new ModelFileException(path, $"damaged legacy PyTorch file (storage '{key}' is not used by any tensor)");
            }
            ReadExactly(path, stream, countBytes, key);
            var elementCount = BinaryPrimitives.ReadInt64LittleEndian(countBytes);
            if (elementCount != storage.ElementCount)
            {
                throw new ModelFileException(path, $"damaged legacy PyTorch file (storage '{key}' holds {elementCount} elements, its tensors expect {storage.ElementCount})");
            }
            var bytes = new byte[elementCount * StateDictFile.ElementSize(storage.ElementType)];
            ReadExactly(path, stream, bytes, key);
            storages.Add(key, StateDictFile.TensorFromBytes(bytes, storage.ElementType, [elementCount]));
        }
        try
        {
            return TorchStateDict.Materialize(path, root, storage => storages.TryGetValue(storage.Key, out var tensor)
                ? tensor
                : throw new ModelFileException(path, $"damaged legacy PyTorch file (storage '{storage.Key}' missing)"));
        }
        finally
        {
            foreach (var tensor in storages.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static void ReadExactly(string path, Stream stream, byte[] buffer, string key)
    {
        var remaining = stream.Length - stream.Position;
        if (remaining < buffer.Length)
        {
            throw new ModelFileException(path, $"truncated legacy PyTorch file (storage '{key}' needs {buffer.Length} bytes at byte {stream.Position}, only {remaining} left)");
        }
        stream.ReadExactly(buffer);
    }
}

/// <summary>Turns an unpickled state dict (name → tensor reference) into tensors.</summary>
internal static class TorchStateDict
{
    /// <summary>Every storage the dict's tensors point at, by key.</summary>
    public static Dictionary<string, TorchStorageReference> StorageReferences(object? root)
    {
        var references = new Dictionary<string, TorchStorageReference>(StringComparer.Ordinal);
        if (root is Dictionary<object, object?> dictionary)
        {
            foreach (var value in dictionary.Values)
            {
                if (value is TorchTensorReference tensor)
                {
                    references.TryAdd(tensor.Storage.Key, tensor.Storage);
                }
            }
        }
        return references;
    }

    /// <summary>
    /// Builds each tensor as the strided view the pickle describes of its storage (read once per key through
    /// <paramref name="loadStorage"/>), made contiguous.
    /// </summary>
    public static Dictionary<string, Tensor> Materialize(string path, object? root, Func<TorchStorageReference, Tensor> loadStorage)
    {
        if (root is not Dictionary<object, object?> dictionary)
        {
            throw new ModelFileException(path, "does not hold a state dict (the pickled object is not a dict)");
        }
        using var scope = torch.NewDisposeScope();
        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in dictionary)
        {
            var name = key as string ?? throw new ModelFileException(path, $"state dict key {key} is not a string");
            if (value is not TorchTensorReference reference)
            {
                throw new ModelFileException(path, $"key '{name}' is not a tensor");
            }
            if (!storages.TryGetValue(reference.Storage.Key, out var storage))
            {
                storage = loadStorage(reference.Storage);
                storages.Add(reference.Storage.Key, storage);
            }
            CheckViewFits(path, name, reference);
            // as_strided on the flat storage [elements] reproduces the saved view exactly.
            var view = storage.as_strided(reference.Size, reference.Stride, reference.StorageOffset);
            tensors.Add(name, view.contiguous());
        }
        foreach (var tensor in tensors.Values)
        {
            tensor.MoveToOuterDisposeScope();
        }
        return tensors;
    }

    private static void CheckViewFits(string path, string name, TorchTensorReference reference)
    {
        if (reference.Size.Length != reference.Stride.Length)
        {
            throw new ModelFileException(path, $"damaged file (key '{name}' has {reference.Size.Length} sizes but {reference.Stride.Length} strides)");
        }
        if (reference.Size.Any(size => size == 0))
        {
            return;
        }
        var lastElement = reference.StorageOffset;
        for (var dimension = 0; dimension < reference.Size.Length; dimension++)
        {
            lastElement += (reference.Size[dimension] - 1) * reference.Stride[dimension];
        }
        if (reference.StorageOffset < 0 || lastElement >= reference.Storage.ElementCount)
        {
            throw new ModelFileException(path, $"damaged file (key '{name}' reaches element {lastElement} of a storage of {reference.Storage.ElementCount})");
        }
    }
}
