using System.Text;
using static TorchSharp.torch;

namespace MLNetCnn.IO;

/// <summary>
/// A restricted reader of the pickles in PyTorch's <c>torch.save</c> files that hold a state dict: it knows only the
/// opcodes such pickles use (protocols 2 to 5) and only the globals they name (<c>collections.OrderedDict</c>,
/// <c>torch._utils._rebuild_tensor_v2</c>, <c>torch._utils._rebuild_parameter</c> and the storage types such as
/// <c>torch.FloatStorage</c>), and refuses any other global or opcode. Unlike Python's pickle it calls nothing: the
/// few globals it accepts are interpreted as the records they describe, so a file cannot run code here.
/// </summary>
internal static class StateDictPickle
{
    private const int MaxDepth = 1 << 20;
    private const int MaxMemo = 1 << 22;

    /// <summary>The storage types PyTorch's pickles name, with the element type each holds.</summary>
    private static readonly IReadOnlyDictionary<string, ScalarType> StorageTypes = new Dictionary<string, ScalarType>
    {
        ["FloatStorage"] = ScalarType.Float32, ["DoubleStorage"] = ScalarType.Float64, ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16, ["LongStorage"] = ScalarType.Int64, ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16, ["CharStorage"] = ScalarType.Int8, ["ByteStorage"] = ScalarType.Byte, ["BoolStorage"] = ScalarType.Bool,
    };

    private static readonly HashSet<string> Functions =
    [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    ];

    /// <summary>A storage a tensor's elements live in, as the pickle's persistent id names it.</summary>
    /// <param name="Key">The storage's key: its file in a zip archive, or its place in the legacy format.</param>
    /// <param name="Type">The element type.</param>
    /// <param name="Elements">The element count the pickle declares.</param>
    public sealed record Storage(string Key, ScalarType Type, long Elements);

    /// <summary>A tensor of the state dict: a strided view of a storage.</summary>
    public sealed record TensorView(Storage Storage, long Offset, long[] Shape, long[] Strides);

    /// <summary>Reads a pickle of a state dict (a dict of names to tensors) from <paramref name="reader"/>, up to its STOP
    /// opcode.</summary>
    /// <param name="reader">The pickle's bytes.</param>
    /// <param name="legacyPersistentIds">Storages are named as in PyTorch's format before 1.6 (with a view entry).</param>
    /// <exception cref="FormatException">The pickle is not a state dict, names a global or uses an opcode that is refused, or is
    /// malformed.</exception>
    /// <exception cref="EndOfStreamException">The pickle is cut short.</exception>
    public static List<KeyValuePair<string, TensorView>> ReadStateDict(BinaryReader reader, bool legacyPersistentIds = false)
    {
        var result = Read(reader, legacyPersistentIds);
        if (result is not Dict dict)
            throw new FormatException($"it holds a pickled {Describe(result)}, not a state dict (a dict of tensors)");
        var tensors = new List<KeyValuePair<string, TensorView>>(dict.Items.Count);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name)
                throw new FormatException($"a state dict key is a {Describe(key)}, not a tensor name");
            if (value is not TensorView view)
                throw new FormatException($"'{name}' is a {Describe(value)}, not a tensor");
            tensors.Add(new(name, view));
        }
        return tensors;
    }

    /// <summary>Reads a pickle holding one value: a number, a string, a list or tuple of them (the legacy format's headers).</summary>
    /// <exception cref="FormatException">The pickle names a global or uses an opcode that is refused, or is malformed.</exception>
    public static object? ReadValue(BinaryReader reader) => Read(reader, legacyPersistentIds: true);

    /// <summary>The value of <paramref name="key"/> in a dict that <see cref="ReadValue"/> read, or null.</summary>
    public static object? Lookup(object? dict, string key) =>
        dict is Dict d ? d.Items.FirstOrDefault(item => key.Equals(item.Key)).Value : null;

    private static object? Read(BinaryReader reader, bool legacyPersistentIds)
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        object? Pop()
        {
            if (stack.Count == 0 || (marks.Count > 0 && marks.Peek() == stack.Count))
                throw new FormatException("the pickle pops an empty stack");
            var top = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return top;
        }
        List<object?> PopToMark()
        {
            if (marks.Count == 0)
                throw new FormatException("the pickle has no mark to pop to");
            int mark = marks.Pop();
            var items = stack.GetRange(mark, stack.Count - mark);
            stack.RemoveRange(mark, stack.Count - mark);
            return items;
        }
        void Push(object? value)
        {
            if (stack.Count >= MaxDepth)
                throw new FormatException("the pickle's stack grows beyond any state dict's");
            stack.Add(value);
        }
        void Memoize(long index, object? value)
        {
            if (memo.Count >= MaxMemo)
                throw new FormatException("the pickle memoizes more values than any state dict");
            memo[index] = value;
        }
        object? Top() => stack.Count > 0 ? stack[^1] : throw new FormatException("the pickle reads an empty stack");

        while (true)
        {
            long position = reader.BaseStream.CanSeek ? reader.BaseStream.Position : -1;
            byte opcode = reader.ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    byte protocol = reader.ReadByte();
                    if (protocol is < 2 or > 5)
                        throw new FormatException($"the pickle has protocol {protocol}; PyTorch writes 2 to 5");
                    break;
                case 0x95: // FRAME
                    reader.ReadInt64();
                    break;
                case (byte)'.': // STOP
                    return Pop();
                case (byte)'(': // MARK
                    marks.Push(stack.Count);
                    break;
                case (byte)')': // EMPTY_TUPLE
                    Push(Array.Empty<object?>());
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
                    Push(new[] { Pop(), second });
                    break;
                }
                case 0x87: // TUPLE3
                {
                    var third = Pop();
                    var second = Pop();
                    Push(new[] { Pop(), second, third });
                    break;
                }
                case (byte)']': // EMPTY_LIST
                    Push(new List<object?>());
                    break;
                case (byte)'a': // APPEND
                {
                    var item = Pop();
                    AsList(Top()).Add(item);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var items = PopToMark();
                    AsList(Top()).AddRange(items);
                    break;
                }
                case (byte)'}': // EMPTY_DICT
                    Push(new Dict());
                    break;
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    AsDict(Top()).Set(key, value);
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var items = PopToMark();
                    if (items.Count % 2 != 0)
                        throw new FormatException("the pickle sets a dict item without a value");
                    var dict = AsDict(Top());
                    for (int i = 0; i < items.Count; i += 2)
                        dict.Set(items[i], items[i + 1]);
                    break;
                }
                case (byte)'N': // NONE
                    Push(null);
                    break;
                case 0x88: // NEWTRUE
                    Push(true);
                    break;
                case 0x89: // NEWFALSE
                    Push(false);
                    break;
                case (byte)'J': // BININT
                    Push((long)reader.ReadInt32());
                    break;
                case (byte)'K': // BININT1
                    Push((long)reader.ReadByte());
                    break;
                case (byte)'M': // BININT2
                    Push((long)reader.ReadUInt16());
                    break;
                case 0x8A: // LONG1
                    Push(ReadLong(reader, reader.ReadByte()));
                    break;
                case (byte)'G': // BINFLOAT, big-endian
                    Push(BitConverter.Int64BitsToDouble(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(reader.ReadInt64())));
                    break;
                case (byte)'X': // BINUNICODE
                    Push(ReadText(reader, reader.ReadUInt32()));
                    break;
                case 0x8C: // SHORT_BINUNICODE
                    Push(ReadText(reader, reader.ReadByte()));
                    break;
                case 0x8D: // BINUNICODE8
                    Push(ReadText(reader, reader.ReadUInt64()));
                    break;
                case (byte)'q': // BINPUT
                    Memoize(reader.ReadByte(), Top());
                    break;
                case (byte)'r': // LONG_BINPUT
                    Memoize(reader.ReadUInt32(), Top());
                    break;
                case 0x94: // MEMOIZE
                    Memoize(memo.Count, Top());
                    break;
                case (byte)'h': // BINGET
                    Push(Recall(memo, reader.ReadByte()));
                    break;
                case (byte)'j': // LONG_BINGET
                    Push(Recall(memo, reader.ReadUInt32()));
                    break;
                case (byte)'c': // GLOBAL
                    Push(Resolve(ReadLine(reader), ReadLine(reader)));
                    break;
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw new FormatException("the pickle names a global by something other than text");
                    Push(Resolve(m, n));
                    break;
                }
                case (byte)'Q': // BINPERSID
                    Push(PersistentStorage(Pop(), legacyPersistentIds));
                    break;
                case (byte)'R': // REDUCE
                {
                    var arguments = Pop();
                    var function = Pop();
                    Push(Call(function, arguments as object?[] ?? throw new FormatException("the pickle calls a function without an argument tuple")));
                    break;
                }
                case (byte)'b': // BUILD
                {
                    var state = Pop();
                    // A state dict's attributes (its _metadata of module versions) come as a dict; nothing else is built.
                    if (Top() is not Dict || state is not (Dict or null))
                        throw new FormatException($"the pickle builds a {Describe(Top())} from a {Describe(state)}, which state dicts never do");
                    break;
                }
                default:
                    throw new FormatException($"the pickle uses opcode 0x{opcode:X2}{(position >= 0 ? $" at byte {position}" : "")}, which state dicts do not use (refused)");
            }
        }
    }

    private static object? Recall(Dictionary<long, object?> memo, long index) =>
        memo.TryGetValue(index, out var value) ? value : throw new FormatException($"the pickle recalls memo entry {index}, which it never stored");

    private static List<object?> AsList(object? value) => value as List<object?> ?? throw new FormatException($"the pickle appends to a {Describe(value)}");

    private static Dict AsDict(object? value) => value as Dict ?? throw new FormatException($"the pickle sets an item of a {Describe(value)}");

    private static Global Resolve(string module, string name)
    {
        string full = $"{module}.{name}";
        if (Functions.Contains(full) || (module == "torch" && StorageTypes.ContainsKey(name)))
            return new Global(full);
        throw new FormatException($"the pickle names the global {full}, which is refused: only the tensors of a state dict are read, and nothing in the file is run");
    }

    private static Storage PersistentStorage(object? id, bool legacy)
    {
        // ('storage', storage type, key, location, element count), and the legacy format's view entry after them.
        if (id is not object?[] { Length: 5 or 6 } parts || parts[0] is not "storage" || parts[1] is not Global type
            || parts[2] is not string key || parts[4] is not long elements || elements < 0 || (parts.Length == 6) != legacy)
            throw new FormatException($"the pickle refers to a {Describe(id)} outside it, not to a tensor storage");
        if (parts.Length == 6 && parts[5] is not null)
            throw new FormatException($"storage {key} is a view of another storage (PyTorch's format before 1.6); load and save the file again with a current PyTorch");
        return new Storage(key, StorageTypes[type.Name["torch.".Length..]], elements);
    }

    private static object? Call(object? function, object?[] arguments)
    {
        if (function is not Global { Name: var name } || !Functions.Contains(name))
            throw new FormatException($"the pickle calls a {Describe(function)}, which is refused");
        switch (name)
        {
            case "collections.OrderedDict" when arguments.Length == 0:
                return new Dict();
            case "torch._utils._rebuild_tensor_v2" when arguments.Length is 6 or 7
                && arguments[0] is Storage storage && arguments[1] is long offset && arguments[2] is object?[] size && arguments[3] is object?[] stride:
                var shape = Dimensions(size, "size");
                var strides = Dimensions(stride, "stride");
                if (shape.Length != strides.Length || shape.Length > TensorReader.MaxRank)
                    throw new FormatException($"a tensor of storage {storage.Key} has {shape.Length} sizes and {strides.Length} strides");
                if (offset < 0)
                    throw new FormatException($"a tensor of storage {storage.Key} starts at element {offset}");
                return new TensorView(storage, offset, shape, strides);
            case "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state" when arguments.Length >= 3 && arguments[0] is TensorView data:
                return data;
            default:
                throw new FormatException($"the pickle calls {name} with {arguments.Length} arguments ({string.Join(", ", arguments.Select(Describe))}), which a state dict never does");
        }
    }

    private static long[] Dimensions(object?[] values, string what) =>
        [.. values.Select(v => v is long n && n >= 0 ? n : throw new FormatException($"a tensor's {what} holds a {Describe(v)}"))];

    /// <summary>A little-endian two's-complement integer: a long where it fits (every size and offset), else a BigInteger (the legacy
    /// format's magic number).</summary>
    private static object ReadLong(BinaryReader reader, int length)
    {
        var bytes = reader.ReadBytes(length);
        if (bytes.Length < length)
            throw new EndOfStreamException();
        var value = new System.Numerics.BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    private static string ReadText(BinaryReader reader, ulong length)
    {
        var stream = reader.BaseStream;
        if (stream.CanSeek && length > (ulong)(stream.Length - stream.Position) || length > int.MaxValue)
            throw new EndOfStreamException($"the pickle declares a {length}-byte string beyond its end");
        var bytes = reader.ReadBytes((int)length);
        if (bytes.Length < (int)length)
            throw new EndOfStreamException();
        return Encoding.UTF8.GetString(bytes);
    }

    private static string ReadLine(BinaryReader reader)
    {
        var bytes = new List<byte>();
        for (byte b = reader.ReadByte(); b != (byte)'\n'; b = reader.ReadByte())
        {
            if (bytes.Count > 256)
                throw new FormatException("the pickle names a global longer than any PyTorch's");
            bytes.Add(b);
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        string => "string",
        long => "integer",
        bool => "bool",
        double => "float",
        object?[] => "tuple",
        List<object?> => "list",
        Dict => "dict",
        Global g => g.Name,
        Storage => "storage",
        TensorView => "tensor",
        _ => value.GetType().Name,
    };

    /// <summary>A global the pickle names, one of those accepted.</summary>
    private sealed record Global(string Name);

    /// <summary>A dict in its insertion order; a later value for a key replaces the earlier one, as in Python.</summary>
    private sealed class Dict
    {
        private readonly Dictionary<object, int> _index = [];

        public List<KeyValuePair<object?, object?>> Items { get; } = [];

        public void Set(object? key, object? value)
        {
            if (key is not (string or long or bool))
                throw new FormatException($"the pickle keys a dict by a {Describe(key)}");
            if (_index.TryGetValue(key, out int at))
            {
                Items[at] = new(key, value);
                return;
            }
            _index[key] = Items.Count;
            Items.Add(new(key, value));
        }
    }
}
