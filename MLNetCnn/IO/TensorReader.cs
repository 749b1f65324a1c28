using static TorchSharp.torch;

namespace MLNetCnn.IO;

/// <summary>
/// Reads tensors in TorchSharp's format (<c>Tensor.Save</c>: dtype, rank, sizes, then the elements) without trusting
/// the header: the dtype must be one TorchSharp knows, the rank at most <see cref="MaxRank"/>, every size
/// non-negative, and the elements no more than what is left of the stream, all checked before anything is allocated.
/// </summary>
internal static class TensorReader
{
    /// <summary>The most dimensions a stored tensor may declare.</summary>
    public const int MaxRank = 16;

    /// <summary>Reads a tensor's dtype and shape.</summary>
    /// <exception cref="FormatException">The dtype, the rank or a size is malformed.</exception>
    public static (ScalarType Dtype, long[] Shape) ReadHeader(BinaryReader reader)
    {
        long code = reader.Read7BitEncodedInt64();
        if (code is < 0 or > sbyte.MaxValue || !Enum.IsDefined((ScalarType)code))
            throw new FormatException($"a tensor declares the unknown dtype {code}");
        long rank = reader.Read7BitEncodedInt64();
        if (rank is < 0 or > MaxRank)
            throw new FormatException($"a tensor declares {rank} dimensions; at most {MaxRank} are read");
        var shape = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            shape[d] = reader.Read7BitEncodedInt64();
            if (shape[d] < 0)
                throw new FormatException($"a tensor declares a negative size {shape[d]}");
        }
        return ((ScalarType)code, shape);
    }

    /// <summary>Reads a whole tensor into CPU memory; <paramref name="reader"/>'s stream must be seekable.</summary>
    /// <exception cref="FormatException">The header is malformed.</exception>
    /// <exception cref="EndOfStreamException">The stream holds fewer elements than the header declares.</exception>
    public static Tensor Read(BinaryReader reader)
    {
        var (dtype, shape) = ReadHeader(reader);
        var stream = reader.BaseStream;
        int elementSize;
        using (var probe = empty(0, dtype: dtype))
            elementSize = (int)probe.ElementSize;
        if (ByteCountWithin(shape, elementSize, stream.Length - stream.Position) is null)
            throw new EndOfStreamException($"a {dtype} tensor of shape [{string.Join(", ", shape)}] is declared where only {(stream.Length - stream.Position) / elementSize} elements are left");
        var result = empty(shape, dtype);
        try
        {
            result.ReadBytesFromStream(stream);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The bytes of a tensor's elements, or null when they are more than <paramref name="bytesLeft"/> (computed without
    /// overflowing, whatever sizes a header declares).
    /// </summary>
    public static long? ByteCountWithin(long[] shape, int elementSize, long bytesLeft)
    {
        long elementsLeft = bytesLeft / elementSize, elements = 1;
        foreach (long size in shape)
            elements = size == 0 || elements <= elementsLeft / size ? elements * size : long.MaxValue;
        return elements <= elementsLeft ? elements * elementSize : null;
    }
}
