using Steerability.Experiments.Tests.Generators;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Steerability.Experiments.Tests.Families.StyleGan2;

/// <summary>A call module.name(arguments…) written as GLOBAL + tuple + REDUCE.</summary>
internal sealed record PickleCall(string Module, string Name, params object?[] Arguments);

/// <summary>An instance of module.name made by NEWOBJ (no arguments), then BUILD with <see cref="State"/> when given.</summary>
internal sealed record PickleInstance(string Module, string Name, object? State = null);

/// <summary>A global named but not called (e.g. a storage type inside a persistent id).</summary>
internal sealed record PickleGlobalName(string Module, string Name);

/// <summary>A persistent id (BINPERSID) holding this tuple, as torch.save writes storages.</summary>
internal sealed record PicklePersistentId(params object?[] Parts);

/// <summary>
/// Writes small pickles (protocol 2 opcodes) from .NET values, to build test files by hand: strings, integers, floats,
/// bools, None, bytes, dicts (string keys), lists, tuples (object?[]), globals, calls, instances and persistent ids.
/// </summary>
internal static class PickleWriter
{
    private static readonly BigInteger TorchMagicNumber = BigInteger.Parse("119547037146038801333356");

    /// <summary>One pickle of <paramref name="value"/>: PROTO 2 … STOP.</summary>
    public static byte[] Pickle(object? value)
    {
        using var stream = new MemoryStream();
        stream.Write([0x80, 2]);
        Write(stream, value);
        stream.WriteByte((byte)'.');
        return stream.ToArray();
    }

    /// <summary>
    /// The call torch.storage._load_from_bytes(b) NVIDIA's snapshots use for each storage, with b a legacy torch.save
    /// stream of a float32 storage holding <paramref name="values"/>.
    /// </summary>
    public static PickleCall EmbeddedFloatStorage(float[] values, string key = "1000")
    {
        using var stream = new MemoryStream();
        stream.Write(Pickle(TorchMagicNumber));
        stream.Write(Pickle(1001L));
        stream.Write(Pickle(new Dictionary<string, object?> { ["protocol_version"] = 1001L, ["little_endian"] = true }));
        stream.Write(Pickle(new PicklePersistentId("storage", new PickleGlobalName("torch", "FloatStorage"), key, "cpu", (long)values.Length)));
        stream.Write(Pickle(new List<object?> { key }));
        var count = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(count, values.Length);
        stream.Write(count);
        foreach (var value in values)
        {
            var bytes = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            stream.Write(bytes);
        }
        return new PickleCall("torch.storage", "_load_from_bytes", stream.ToArray());
    }

    /// <summary>A contiguous float32 tensor of <paramref name="shape"/> as a snapshot pickles it (_rebuild_tensor_v2 over an embedded storage).</summary>
    public static PickleCall Tensor(long[] shape, string key)
    {
        var count = shape.Aggregate(1L, (product, size) => product * size);
        var strides = new object?[shape.Length];
        var stride = 1L;
        for (var dimension = shape.Length - 1; dimension >= 0; dimension--)
        {
            strides[dimension] = stride;
            stride *= shape[dimension];
        }
        var values = Enumerable.Range(0, (int)count).Select(index => (float)index).ToArray();
        return new PickleCall("torch._utils", "_rebuild_tensor_v2",
            EmbeddedFloatStorage(values, key), 0L, shape.Cast<object?>().ToArray(), strides, false, new PickleCall("collections", "OrderedDict"));
    }

    /// <summary>A persistent module as stylegan2-ada-pytorch pickles it: _reconstruct_persistent_obj({type, version, module_src, class_name, state}).</summary>
    public static PickleCall PersistentModule(string className, Dictionary<string, object?> state) =>
        new("torch_utils.persistence", "_reconstruct_persistent_obj", new Dictionary<string, object?>
        {
            ["type"] = "class",
            ["version"] = 6L,
            ["module_src"] = "raise RuntimeError('module_src must never run')",
            ["class_name"] = className,
            ["state"] = state,
        });

    private static void Write(Stream stream, object? value)
    {
        switch (value)
        {
            case null:
                stream.WriteByte((byte)'N');
                break;
            case bool flag:
                stream.WriteByte(flag ? (byte)0x88 : (byte)0x89);
                break;
            case int number:
                Write(stream, (long)number);
                break;
            case long number when number is >= int.MinValue and <= int.MaxValue:
                stream.WriteByte((byte)'J');
                var integer = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(integer, (int)number);
                stream.Write(integer);
                break;
            case long number:
                Write(stream, new BigInteger(number));
                break;
            case BigInteger big:
                var bytes = big.ToByteArray();
                stream.WriteByte(0x8a);
                stream.WriteByte((byte)bytes.Length);
                stream.Write(bytes);
                break;
            case double real:
                stream.WriteByte((byte)'G');
                var floating = new byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(floating, real);
                stream.Write(floating);
                break;
            case string text:
                var utf8 = Encoding.UTF8.GetBytes(text);
                stream.WriteByte((byte)'X');
                WriteLength(stream, utf8.Length);
                stream.Write(utf8);
                break;
            case byte[] raw:
                stream.WriteByte((byte)'B');
                WriteLength(stream, raw.Length);
                stream.Write(raw);
                break;
            case Dictionary<string, object?> dictionary:
                stream.WriteByte((byte)'}');
                stream.WriteByte((byte)'(');
                foreach (var (key, item) in dictionary)
                {
                    Write(stream, key);
                    Write(stream, item);
                }
                stream.WriteByte((byte)'u');
                break;
            case List<object?> list:
                stream.WriteByte((byte)']');
                stream.WriteByte((byte)'(');
                foreach (var item in list)
                {
                    Write(stream, item);
                }
                stream.WriteByte((byte)'e');
                break;
            case object?[] tuple:
                stream.WriteByte((byte)'(');
                foreach (var item in tuple)
                {
                    Write(stream, item);
                }
                stream.WriteByte((byte)'t');
                break;
            case PickleGlobalName global:
                WriteGlobal(stream, global.Module, global.Name);
                break;
            case PickleCall call:
                WriteGlobal(stream, call.Module, call.Name);
                Write(stream, call.Arguments);
                stream.WriteByte((byte)'R');
                break;
            case PickleInstance instance:
                WriteGlobal(stream, instance.Module, instance.Name);
                stream.WriteByte((byte)')');
                stream.WriteByte(0x81);
                if (instance.State is not null)
                {
                    Write(stream, instance.State);
                    stream.WriteByte((byte)'b');
                }
                break;
            case PicklePersistentId persistent:
                Write(stream, persistent.Parts);
                stream.WriteByte((byte)'Q');
                break;
            default:
                throw new ArgumentException($"the test pickle writer cannot write {value.GetType().Name}");
        }
    }

    private static void WriteGlobal(Stream stream, string module, string name)
    {
        stream.WriteByte((byte)'c');
        stream.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private static void WriteLength(Stream stream, int length)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, length);
        stream.Write(bytes);
    }
}
