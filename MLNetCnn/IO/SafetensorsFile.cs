using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace MLNetCnn.IO;

/// <summary>
/// Indexes a <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
/// shape and byte range, then the raw little-endian data. Every range is checked to be the tensor's size and to lie in the
/// file; nothing is loaded.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>The header's entry of free-form metadata, which is not a tensor.</summary>
    public const string MetadataEntry = "__metadata__";

    private const long MaxHeaderBytes = 100 << 20;

    private static readonly IReadOnlyDictionary<string, ScalarType> Types = new Dictionary<string, ScalarType>
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>Whether a file's first bytes look like a safetensors header: a plausible length, then JSON's opening brace.</summary>
    public static bool LooksLikeOne(ReadOnlySpan<byte> header, long fileLength) =>
        header.Length >= 9 && header[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(header) is var length && (long)length <= fileLength - 8 && length >= 2;

    /// <summary>Indexes the tensors of a safetensors file.</summary>
    /// <exception cref="InvalidDataException">The header is malformed, or a tensor's range is not its size or lies past the end of the
    /// file.</exception>
    public static List<StoredTensor> Index(string path, Stream stream)
    {
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, stream.Length - 8))
            throw new InvalidDataException($"{path} declares a {headerLength:N0}-byte safetensors header in a {stream.Length:N0}-byte file: it is truncated or not a safetensors file.");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength, dataLength = stream.Length - dataStart;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The safetensors header of {path} is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"The safetensors header of {path} is not a JSON object.");
            var tensors = new List<StoredTensor>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataEntry)
                    continue;
                tensors.Add(Entry(path, property.Name, property.Value, dataStart, dataLength));
            }
            return tensors;
        }
    }

    private static StoredTensor Entry(string path, string name, JsonElement entry, long dataStart, long dataLength)
    {
        string Malformed(string what) => $"Tensor '{name}' in {path} {what}.";
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("dtype", out var dtype) || !entry.TryGetProperty("shape", out var shapeElement)
            || !entry.TryGetProperty("data_offsets", out var offsets) || shapeElement.ValueKind != JsonValueKind.Array || offsets.ValueKind != JsonValueKind.Array
            || offsets.GetArrayLength() != 2)
            throw new InvalidDataException(Malformed("lacks a dtype, shape or data_offsets pair"));
        if (dtype.ValueKind != JsonValueKind.String || !Types.TryGetValue(dtype.GetString()!, out var type))
            throw new InvalidDataException(Malformed($"has dtype {dtype}, which is not read (read: {string.Join(", ", Types.Keys)})"));
        if (shapeElement.GetArrayLength() > TensorReader.MaxRank || shapeElement.EnumerateArray().Any(s => !s.TryGetInt64(out long size) || size < 0))
            throw new InvalidDataException(Malformed($"has shape {shapeElement}, which is not a list of at most {TensorReader.MaxRank} sizes"));
        long[] shape = [.. shapeElement.EnumerateArray().Select(s => s.GetInt64())];
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new InvalidDataException(Malformed($"has data_offsets {offsets}, which is not a range"));
        int elementSize = StoredTensor.ElementSizes[type];
        long? size = TensorReader.ByteCountWithin(shape, elementSize, dataLength);
        if (end > dataLength)
            throw new InvalidDataException($"{path} is truncated in tensor '{name}' ({StoredTensor.Describe(type, shape)}): its data ends at byte {end:N0} of {dataLength:N0}.");
        if (size != end - begin)
            throw new InvalidDataException(Malformed($"({StoredTensor.Describe(type, shape)}) has {end - begin:N0} bytes of data where its shape needs {(size is { } s ? $"{s:N0}" : "more than the file")}"));
        return StoredTensor.Contiguous(name, type, shape, dataStart + begin);
    }
}
