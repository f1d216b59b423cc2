using Steerability.Experiments.Generators;
using TorchSharp;
using static TorchSharp.torch;

namespace Steerability.Experiments.ModelFiles;

/// <summary>The on-disk layouts a PyTorch state dict can come in.</summary>
public enum StateDictFormat
{
    /// <summary>Hugging Face safetensors: length-prefixed JSON header, then raw tensor bytes.</summary>
    Safetensors,

    /// <summary>`torch.save` zip archive (the default since PyTorch 1.6): data.pkl plus one entry per storage.</summary>
    TorchZip,

    /// <summary>`torch.save` legacy stream (pre-1.6, the published BigGAN-deep files): pickles followed by raw storages.</summary>
    TorchLegacy,
}

/// <summary>Reads a state dict from any <see cref="StateDictFormat"/> into CPU tensors keyed by parameter name.</summary>
public static class StateDictFile
{
    /// <summary>Recognises the format from the file's first bytes (never from its name); throws <see cref="ModelFileException"/> when none fits.</summary>
    public static StateDictFormat DetectFormat(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFileException(path, "file not found");
        }
        var head = new byte[32];
        int count;
        using (var stream = File.OpenRead(path))
        {
            count = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        if (count == 0)
        {
            throw new ModelFileException(path, "file is empty");
        }
        if (count >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
        {
            return StateDictFormat.TorchZip;
        }
        // A legacy torch.save stream opens with a protocol-2 pickle of the magic number (PROTO 2, LONG1 ...).
        if (count >= 3 && head[0] == 0x80 && head[1] == 2 && head[2] == 0x8a)
        {
            return StateDictFormat.TorchLegacy;
        }
        // safetensors: little-endian u64 header length, then a JSON object.
        if (count >= 9 && head[8] == (byte)'{')
        {
            return StateDictFormat.Safetensors;
        }
        if (System.Text.Encoding.ASCII.GetString(head, 0, count).StartsWith("version https://git-lfs", StringComparison.Ordinal))
        {
            throw new ModelFileException(path, "is a Git LFS pointer, not the model (run `git lfs pull`)");
        }
        throw new ModelFileException(path, $"not a safetensors, PyTorch zip or legacy PyTorch file (starts with {Describe(head.AsSpan(0, Math.Min(count, 16)))})");
    }

    /// <summary>
    /// Reads every tensor of the state dict in <paramref name="path"/>. The tensors belong to the caller's dispose
    /// scope, if any. Throws <see cref="ModelFileException"/> with a one-line reason for any problem.
    /// </summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var format = DetectFormat(path);
        try
        {
            return format switch
            {
                StateDictFormat.Safetensors => SafetensorsReader.Read(path),
                StateDictFormat.TorchZip => TorchZipReader.Read(path),
                _ => TorchLegacyReader.Read(path),
            };
        }
        catch (ModelFileException)
        {
            throw;
        }
        catch (EndOfStreamException error)
        {
            throw new ModelFileException(path, $"truncated {FormatName(format)} file (ends early: {error.Message})", error);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or FormatException or System.Text.Json.JsonException or ArgumentException
            or KeyNotFoundException or InvalidOperationException or InvalidCastException or OverflowException or IndexOutOfRangeException)
        {
            var hint = format == StateDictFormat.TorchLegacy ? LegacyConversionHint : "";
            throw new ModelFileException(path, $"damaged {FormatName(format)} file ({error.Message}){hint}", error);
        }
    }

    /// <summary>How to turn a legacy file this reader cannot follow into the zip format (which it reads).</summary>
    internal const string LegacyConversionHint =
        "; to convert it, run in Python: import torch; torch.save(torch.load('IN.bin', map_location='cpu', weights_only=False), 'pytorch_model.bin')";

    /// <summary>A readable name of a format for messages.</summary>
    public static string FormatName(StateDictFormat format) => format switch
    {
        StateDictFormat.Safetensors => "safetensors",
        StateDictFormat.TorchZip => "PyTorch zip",
        _ => "legacy PyTorch",
    };

    /// <summary>Bytes per element of the dtypes state dicts hold.</summary>
    internal static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new ArgumentException($"unsupported dtype {type}"),
    };

    /// <summary>A CPU tensor [shape] of <paramref name="type"/> holding a copy of <paramref name="bytes"/> (little-endian, row-major).</summary>
    internal static Tensor TensorFromBytes(byte[] bytes, ScalarType type, long[] shape)
    {
        var tensor = torch.empty(shape, type, torch.CPU);
        if (bytes.Length > 0)
        {
            tensor.bytes = bytes;
        }
        return tensor;
    }

    /// <summary>The first bytes of a file, as text when printable, else as hex, for "wrong format" messages.</summary>
    private static string Describe(ReadOnlySpan<byte> head)
    {
        var printable = true;
        foreach (var value in head)
        {
            printable &= value is >= 0x20 and < 0x7f or (byte)'\t' or (byte)'\n' or (byte)'\r';
        }
        if (printable)
        {
            var text = System.Text.Encoding.ASCII.GetString(head).ReplaceLineEndings(" ");
            return $"text \"{text}\"";
        }
        return "bytes " + Convert.ToHexString(head[..Math.Min(8, head.Length)]);
    }
}
