using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace Steerability.Experiments.ModelFiles;

/// <summary>A Python global (module.name) named by a pickle's GLOBAL opcode.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>An object the machine does not interpret (a call of an unknown global); kept only so unpickling can go on.</summary>
internal sealed record PickleOpaqueObject(PickleGlobal Type, object?[] Arguments);

/// <summary>
/// A pickled storage reference: the key of its bytes in the file, its element type and its length in elements.
/// <see cref="InlineData"/> holds the raw bytes when the pickle carries them itself (`torch.storage._load_from_bytes`).
/// </summary>
internal sealed record TorchStorageReference(string Key, ScalarType ElementType, long ElementCount)
{
    public byte[]? InlineData { get; init; }
}

/// <summary>A `numpy.dtype` as pickled: its type code (e.g. "f8") and byte order ('&lt;', '&gt;', '|' or '=').</summary>
internal sealed class NumpyDataType(string code)
{
    public string Code { get; } = code;

    public char ByteOrder { get; set; } = '=';
}

/// <summary>Thrown when a pickle names a global outside the caller's allow-list; nothing was called.</summary>
internal sealed class PickleGlobalRefusedException(PickleGlobal global, long position)
    : Exception($"pickle names the global {global.FullName} (at byte {position}), which is not allowed")
{
    public PickleGlobal Global { get; } = global;
}

/// <summary>A pickled tensor: a strided view [Size] of a storage, not read yet.</summary>
internal sealed record TorchTensorReference(TorchStorageReference Storage, long StorageOffset, long[] Size, long[] Stride);

/// <summary>
/// A small pickle virtual machine for what `torch.save` writes (protocols 2 to 5): dicts, lists, tuples, scalars,
/// strings, globals, and tensors rebuilt from persistent storage ids. We run our own rather than Razorvine.Pickle
/// because Razorvine registers constructors in a process-wide table that TorchSharp.PyBridge also fills, and
/// replacing entries there would change how PyBridge loads files elsewhere in the process.
/// </summary>
internal sealed class TorchPickleMachine
{
    private readonly Stream _stream;
    private readonly List<object?> _stack = new();
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = new();
    private readonly IReadOnlySet<string>? _allowedGlobals;

    private TorchPickleMachine(Stream stream, IReadOnlySet<string>? allowedGlobals)
    {
        _stream = stream;
        _allowedGlobals = allowedGlobals;
    }

    /// <summary>
    /// Runs one pickle from the stream's current position up to and including its STOP opcode and returns the value.
    /// With <paramref name="allowedGlobals"/> (module.name), any other global stops the run with a
    /// <see cref="PickleGlobalRefusedException"/> as soon as it is named; without it, unknown globals become opaque values.
    /// </summary>
    public static object? Load(Stream stream, IReadOnlySet<string>? allowedGlobals = null) =>
        new TorchPickleMachine(stream, allowedGlobals).Run();

    private object? Run()
    {
        while (true)
        {
            var position = _stream.CanSeek ? _stream.Position : -1;
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    ReadByte();
                    break;
                case 0x95: // FRAME: only a read-ahead hint
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    return Pop();
                case (byte)'(': // MARK
                    _marks.Push(_stack.Count);
                    break;
                case (byte)'}': // EMPTY_DICT
                    Push(new Dictionary<object, object?>());
                    break;
                case (byte)']': // EMPTY_LIST
                    Push(new List<object?>());
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(Array.Empty<object?>());
                    break;
                case (byte)'N':
                    Push(null);
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case (byte)'K': // BININT1
                    Push((long)ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2)));
                    break;
                case (byte)'J': // BININT
                    Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)));
                    break;
                case 0x8a: // LONG1
                    Push(ReadLong(ReadByte()));
                    break;
                case 0x8b: // LONG4
                    Push(ReadLong(ReadLength4()));
                    break;
                case (byte)'G': // BINFLOAT (big-endian double)
                    Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(Encoding.UTF8.GetString(ReadBytes(ReadLength4())));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    Push(Encoding.UTF8.GetString(ReadBytes(ReadByte())));
                    break;
                case (byte)'T': // BINSTRING
                    Push(Encoding.Latin1.GetString(ReadBytes(ReadLength4())));
                    break;
                case (byte)'U': // SHORT_BINSTRING
                    Push(Encoding.Latin1.GetString(ReadBytes(ReadByte())));
                    break;
                case (byte)'B': // BINBYTES
                    Push(ReadBytes(ReadLength4()));
                    break;
                case (byte)'C': // SHORT_BINBYTES
                    Push(ReadBytes(ReadByte()));
                    break;
                case (byte)'q': // BINPUT
                    _memo[ReadByte()] = Peek();
                    break;
                case (byte)'r': // LONG_BINPUT
                    _memo[ReadLength4()] = Peek();
                    break;
                case 0x94: // MEMOIZE
                    _memo[_memo.Count] = Peek();
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(ReadLength4()));
                    break;
                case (byte)'t': // TUPLE
                    Push(PopToMark().ToArray());
                    break;
                case 0x85: // TUPLE1
                    Push(new[] { Pop() });
                    break;
                case 0x86: // TUPLE2
                    {
                        var second = Pop();
                        var first = Pop();
                        Push(new[] { first, second });
                        break;
                    }
                case 0x87: // TUPLE3
                    {
                        var third = Pop();
                        var second = Pop();
                        var first = Pop();
                        Push(new[] { first, second, third });
                        break;
                    }
                case (byte)'l': // LIST
                    Push(PopToMark());
                    break;
                case (byte)'d': // DICT
                    {
                        var items = PopToMark();
                        var dictionary = new Dictionary<object, object?>();
                        for (var index = 0; index + 1 < items.Count; index += 2)
                        {
                            dictionary[items[index] ?? throw new InvalidDataException("pickle dict key is None")] = items[index + 1];
                        }
                        Push(dictionary);
                        break;
                    }
                case (byte)'a': // APPEND
                    {
                        var item = Pop();
                        AsList(Peek()).Add(item);
                        break;
                    }
                case (byte)'e': // APPENDS
                    {
                        var items = PopToMark();
                        AsList(Peek()).AddRange(items);
                        break;
                    }
                case (byte)'s': // SETITEM
                    {
                        var value = Pop();
                        var key = Pop() ?? throw new InvalidDataException("pickle dict key is None");
                        AsDictionary(Peek())[key] = value;
                        break;
                    }
                case (byte)'u': // SETITEMS
                    {
                        var items = PopToMark();
                        var dictionary = AsDictionary(Peek());
                        for (var index = 0; index + 1 < items.Count; index += 2)
                        {
                            dictionary[items[index] ?? throw new InvalidDataException("pickle dict key is None")] = items[index + 1];
                        }
                        break;
                    }
                case 0x8d: // BINUNICODE8
                    Push(Encoding.UTF8.GetString(ReadBytes(ReadLength8())));
                    break;
                case 0x8e: // BINBYTES8
                    Push(ReadBytes(ReadLength8()));
                    break;
                case 0x8f: // EMPTY_SET
                    Push(new HashSet<object?>());
                    break;
                case 0x90: // ADDITEMS
                    {
                        var items = PopToMark();
                        var set = Peek() as HashSet<object?> ?? throw new InvalidDataException("ADDITEMS target is not a set");
                        set.UnionWith(items);
                        break;
                    }
                case 0x91: // FROZENSET
                    Push(new HashSet<object?>(PopToMark()));
                    break;
                case (byte)'c': // GLOBAL: "module\nname\n"
                    {
                        var module = ReadLine();
                        var name = ReadLine();
                        Push(CheckAllowed(new PickleGlobal(module, name), position));
                        break;
                    }
                case 0x93: // STACK_GLOBAL
                    {
                        var name = Pop() as string ?? throw new InvalidDataException("STACK_GLOBAL name is not a string");
                        var module = Pop() as string ?? throw new InvalidDataException("STACK_GLOBAL module is not a string");
                        Push(CheckAllowed(new PickleGlobal(module, name), position));
                        break;
                    }
                case (byte)'R': // REDUCE
                    {
                        var arguments = Pop() as object?[] ?? throw new InvalidDataException("REDUCE arguments are not a tuple");
                        var callable = Pop() as PickleGlobal ?? throw new InvalidDataException("REDUCE callable is not a global");
                        Push(Call(callable, arguments, _allowedGlobals));
                        break;
                    }
                case 0x81: // NEWOBJ
                    {
                        var arguments = Pop() as object?[] ?? Array.Empty<object?>();
                        var type = Pop() as PickleGlobal ?? throw new InvalidDataException("NEWOBJ class is not a global");
                        Push(NewObject(type, arguments));
                        break;
                    }
                case 0x92: // NEWOBJ_EX: keyword arguments are not needed by any class read here
                    {
                        Pop();
                        var arguments = Pop() as object?[] ?? Array.Empty<object?>();
                        var type = Pop() as PickleGlobal ?? throw new InvalidDataException("NEWOBJ_EX class is not a global");
                        Push(NewObject(type, arguments));
                        break;
                    }
                case (byte)'b': // BUILD: only a numpy dtype's byte order is kept; other state (e.g. an OrderedDict's _metadata) is not needed
                    {
                        var state = Pop();
                        if (Peek() is NumpyDataType dataType && state is object?[] { Length: > 1 } fields && fields[1] is string { Length: 1 } order)
                        {
                            dataType.ByteOrder = order[0];
                        }
                        break;
                    }
                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(Pop()));
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopToMark();
                    break;
                case (byte)'2': // DUP
                    Push(Peek());
                    break;
                default:
                    throw new InvalidDataException($"unsupported pickle opcode 0x{opcode:x2} at byte {position}");
            }
        }
    }

    private PickleGlobal CheckAllowed(PickleGlobal global, long position) =>
        _allowedGlobals is null || _allowedGlobals.Contains(global.FullName) ? global : throw new PickleGlobalRefusedException(global, position);

    /// <summary>Classes that pickle as plain dicts (a dict subclass with its items set by SETITEMS); others stay opaque.</summary>
    private static readonly HashSet<string> DictionaryClasses = new(StringComparer.Ordinal) { "collections.OrderedDict", "dnnlib.util.EasyDict" };

    private static object NewObject(PickleGlobal type, object?[] arguments) =>
        DictionaryClasses.Contains(type.FullName) ? new Dictionary<object, object?>() : new PickleOpaqueObject(type, arguments);

    /// <summary>Interprets the calls `torch.save` (and pickle.dump of torch modules) pickles; anything else becomes an opaque value.</summary>
    private static object? Call(PickleGlobal callable, object?[] arguments, IReadOnlySet<string>? allowedGlobals)
    {
        switch (callable.FullName)
        {
            case "collections.OrderedDict":
                return NewOrderedDict(arguments);
            case "builtins.set":
            case "__builtin__.set":
            case "builtins.frozenset":
                return arguments is [List<object?> items] ? new HashSet<object?>(items) : new HashSet<object?>();
            case "_codecs.encode":
                // Protocol 2 writes bytes as encode(text, 'latin1').
                if (arguments is [string text, string encoding] && encoding.Replace("-", "", StringComparison.Ordinal).Equals("latin1", StringComparison.OrdinalIgnoreCase))
                {
                    return Encoding.Latin1.GetBytes(text);
                }
                return new PickleOpaqueObject(callable, arguments);
            case "torch.storage._load_from_bytes":
                // A storage pickled inside a pickle: a nested legacy torch.save stream.
                return arguments is [byte[] bytes]
                    ? TorchLegacyReader.ReadEmbeddedStorage(bytes, allowedGlobals)
                    : throw new InvalidDataException("torch.storage._load_from_bytes called without bytes");
            case "numpy.dtype":
                return arguments is [string code, ..]
                    ? new NumpyDataType(code)
                    : throw new InvalidDataException("numpy.dtype called without a type code");
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar":
                return arguments is [NumpyDataType dataType, byte[] value]
                    ? NumpyScalar(dataType, value)
                    : throw new InvalidDataException("numpy scalar called without (dtype, bytes)");
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                {
                    // (storage, storage_offset, size, stride, ...requires_grad, backward_hooks, metadata)
                    if (arguments.Length < 4 || arguments[0] is not TorchStorageReference storage)
                    {
                        throw new InvalidDataException($"{callable.FullName} called without a storage");
                    }
                    return new TorchTensorReference(storage, ToLong(arguments[1]), ToLongs(arguments[2]), ToLongs(arguments[3]));
                }
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                // (data, requires_grad, backward_hooks[, state]): the tensor is all a state dict needs.
                return arguments.Length > 0 ? arguments[0] : null;
            default:
                return new PickleOpaqueObject(callable, arguments);
        }
    }

    /// <summary>A numpy scalar's value (numbers and booleans, little-endian) as a long, double or bool.</summary>
    private static object NumpyScalar(NumpyDataType dataType, byte[] value)
    {
        if (dataType.ByteOrder == '>')
        {
            throw new InvalidDataException($"big-endian numpy scalar of dtype {dataType.Code}");
        }
        return (dataType.Code, value.Length) switch
        {
            ("f8", 8) => BinaryPrimitives.ReadDoubleLittleEndian(value),
            ("f4", 4) => (double)BinaryPrimitives.ReadSingleLittleEndian(value),
            ("i8", 8) => BinaryPrimitives.ReadInt64LittleEndian(value),
            ("i4", 4) => (long)BinaryPrimitives.ReadInt32LittleEndian(value),
            ("u8", 8) => (long)BinaryPrimitives.ReadUInt64LittleEndian(value),
            ("u4", 4) => (long)BinaryPrimitives.ReadUInt32LittleEndian(value),
            ("b1", 1) => value[0] != 0,
            _ => throw new InvalidDataException($"unsupported numpy scalar dtype {dataType.Code} ({value.Length} bytes)"),
        };
    }

    /// <summary>
    /// OrderedDict() as Python 3 pickles it (items follow by SETITEMS), or OrderedDict([[key, value], ...]) as
    /// Python 2 did.
    /// </summary>
    private static Dictionary<object, object?> NewOrderedDict(object?[] arguments)
    {
        var dictionary = new Dictionary<object, object?>();
        if (arguments is [List<object?> items])
        {
            foreach (var item in items)
            {
                var pair = item switch
                {
                    List<object?> list => list.ToArray(),
                    object?[] tuple => tuple,
                    _ => throw new InvalidDataException("OrderedDict item is not a pair"),
                };
                if (pair is not [{ } key, var value])
                {
                    throw new InvalidDataException("OrderedDict item is not a pair");
                }
                dictionary[key] = value;
            }
        }
        return dictionary;
    }

    /// <summary>
    /// torch.save's persistent id of a storage: ('storage', storage_type, key, location, element_count[, view_metadata]).
    /// </summary>
    private static TorchStorageReference PersistentLoad(object? persistentId)
    {
        if (persistentId is not object?[] { Length: >= 5 } parts || parts[0] as string != "storage")
        {
            throw new InvalidDataException("unknown persistent id (not a torch storage)");
        }
        var storageType = parts[1] as PickleGlobal ?? throw new InvalidDataException("storage type is not a global");
        var key = parts[2] as string ?? throw new InvalidDataException("storage key is not a string");
        return new TorchStorageReference(key, StorageElementType(storageType), ToLong(parts[4]));
    }

    private static ScalarType StorageElementType(PickleGlobal storageType) => storageType.Name switch
    {
        "FloatStorage" => ScalarType.Float32,
        "DoubleStorage" => ScalarType.Float64,
        "HalfStorage" => ScalarType.Float16,
        "BFloat16Storage" => ScalarType.BFloat16,
        "LongStorage" => ScalarType.Int64,
        "IntStorage" => ScalarType.Int32,
        "ShortStorage" => ScalarType.Int16,
        "CharStorage" => ScalarType.Int8,
        "ByteStorage" => ScalarType.Byte,
        "BoolStorage" => ScalarType.Bool,
        _ => throw new InvalidDataException($"unsupported storage type {storageType.FullName}"),
    };

    private static long ToLong(object? value) => value switch
    {
        long number => number,
        BigInteger big => (long)big,
        _ => throw new InvalidDataException($"expected an integer, found {value?.GetType().Name ?? "None"}"),
    };

    private static long[] ToLongs(object? value) => value switch
    {
        object?[] tuple => tuple.Select(ToLong).ToArray(),
        List<object?> list => list.Select(ToLong).ToArray(),
        _ => throw new InvalidDataException("expected a tuple of integers"),
    };

    private static object ReadLongValue(byte[] bytes)
    {
        // Two's complement little-endian, as Python's LONG1/LONG4 store it.
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private object ReadLong(int byteCount) => ReadLongValue(ReadBytes(byteCount));

    private static List<object?> AsList(object? value) =>
        value as List<object?> ?? throw new InvalidDataException("APPEND target is not a list");

    private static Dictionary<object, object?> AsDictionary(object? value) =>
        value as Dictionary<object, object?> ?? throw new InvalidDataException("SETITEM target is not a dict");

    private object? Recall(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw new InvalidDataException($"pickle memo {index} is not set");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek() =>
        _stack.Count > 0 ? _stack[^1] : throw new InvalidDataException("pickle stack is empty");

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0)
        {
            throw new InvalidDataException("pickle MARK missing");
        }
        var mark = _marks.Pop();
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte ReadByte()
    {
        var value = _stream.ReadByte();
        return value < 0 ? throw new EndOfStreamException("inside a pickle") : (byte)value;
    }

    private int ReadLength4()
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
        return length < 0 ? throw new InvalidDataException("negative pickle length") : length;
    }

    private int ReadLength8()
    {
        var length = BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));
        return length is < 0 or > int.MaxValue ? throw new InvalidDataException($"pickle length {length} out of range") : (int)length;
    }

    private byte[] ReadBytes(int count)
    {
        if (_stream.CanSeek && count > _stream.Length - _stream.Position)
        {
            throw new EndOfStreamException($"a pickle item of {count} bytes runs past the end");
        }
        var bytes = new byte[count];
        _stream.ReadExactly(bytes);
        return bytes;
    }

    private string ReadLine()
    {
        var builder = new StringBuilder();
        while (true)
        {
            var value = ReadByte();
            if (value == (byte)'\n')
            {
                return builder.ToString();
            }
            builder.Append((char)value);
        }
    }
}
