using System.Buffers.Binary;
using System.Text.Json;
using Steerability.Experiments.Generators;
using static TorchSharp.torch;

namespace Steerability.Experiments.ModelFiles;

/// <summary>Reads a safetensors file into CPU tensors (the format is an 8-byte header length, a JSON header, then the data).</summary>
internal static class SafetensorsReader
{
    /// <summary>Headers are small; a larger length means the file is not safetensors or is damaged.</summary>
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        var fileLength = stream.Length;
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw new ModelFileException(path, $"damaged safetensors file (header length {headerLength} is implausible)");
        }
        if ((long)headerLength > fileLength - 8)
        {
            throw new ModelFileException(path, $"truncated safetensors file (header needs {headerLength} bytes, only {fileLength - 8} present)");
        }
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;

        using var header = JsonDocument.Parse(headerBytes);
        if (header.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new ModelFileException(path, $"damaged safetensors file (the header is a JSON {header.RootElement.ValueKind}, not an object)");
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }
            if (entry.Value.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFileException(path, $"damaged safetensors file (key '{entry.Name}' is not an object with dtype, shape and data_offsets)");
            }
            var dtype = entry.Value.TryGetProperty("dtype", out var dtypeValue) && dtypeValue.ValueKind == JsonValueKind.String
                ? dtypeValue.GetString()
                : throw new ModelFileException(path, $"damaged safetensors file (key '{entry.Name}' has no dtype string)");
            var type = ParseType(path, entry.Name, dtype);
            var shape = Integers(path, entry, "shape");
            var offsets = Integers(path, entry, "data_offsets");
            if (shape.Any(dimension => dimension < 0))
            {
                throw new ModelFileException(path, $"damaged safetensors file (key '{entry.Name}' has a negative size in shape [{string.Join(", ", shape)}])");
            }
            long byteCount;
            try
            {
                byteCount = checked(shape.Aggregate(1L, (product, dimension) => product * dimension) * StateDictFile.ElementSize(type));
            }
            catch (OverflowException)
            {
                throw new ModelFileException(path, $"damaged safetensors file (key '{entry.Name}': shape [{string.Join(", ", shape)}] is implausibly large)");
            }
            if (offsets.Length != 2 || offsets[1] - offsets[0] != byteCount || offsets[0] < 0)
            {
                throw new ModelFileException(path, $"damaged safetensors file (key '{entry.Name}': data offsets [{string.Join(", ", offsets)}] do not fit shape [{string.Join(", ", shape)}])");
            }
            if (dataStart + offsets[1] > fileLength)
            {
                throw new ModelFileException(path, $"truncated safetensors file (key '{entry.Name}' needs bytes up to {dataStart + offsets[1]}, file has {fileLength})");
            }
            var bytes = new byte[byteCount];
            stream.Seek(dataStart + offsets[0], SeekOrigin.Begin);
            stream.ReadExactly(bytes);
            tensors.Add(entry.Name, StateDictFile.TensorFromBytes(bytes, type, shape));
        }
        return tensors;
    }

    /// <summary>A list of whole numbers of a header entry, or a one-line error naming the entry and field.</summary>
    private static long[] Integers(string path, JsonProperty entry, string field)
    {
        if (!entry.Value.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.Array
            || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out _)))
        {
            throw new ModelFileException(path, $"damaged safetensors file (key '{entry.Name}' has no list of whole numbers '{field}')");
        }
        return value.EnumerateArray().Select(item => item.GetInt64()).ToArray();
    }

    private static ScalarType ParseType(string path, string key, string? dtype) => dtype switch
    {
        "F64" => ScalarType.Float64,
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new ModelFileException(path, $"key '{key}' has unsupported safetensors dtype '{dtype}'"),
    };
}
