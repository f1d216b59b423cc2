using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace Steerability.Experiments.Generators.BigGanDeep;

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
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }
            var type = ParseType(path, entry.Name, entry.Value.GetProperty("dtype").GetString());
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(offset => offset.GetInt64()).ToArray();
            var byteCount = shape.Aggregate(1L, (product, dimension) => product * dimension) * StateDictFile.ElementSize(type);
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
