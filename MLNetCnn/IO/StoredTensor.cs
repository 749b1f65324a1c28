using static TorchSharp.torch;

namespace MLNetCnn.IO;

/// <summary>Where a storage of tensor elements is: a range of the file, or a file inside its zip archive.</summary>
/// <param name="ZipEntry">The storage's entry in the zip archive, or null when it is a range of the file.</param>
/// <param name="FileOffset">Where the range starts in the file (or in the entry).</param>
/// <param name="Elements">The elements the storage holds, checked against the file when it was indexed.</param>
internal sealed record TensorStorage(string? ZipEntry, long FileOffset, long Elements);

/// <summary>A tensor in a weights file: its name, type and shape, and where its elements are (a strided view of a storage).</summary>
internal sealed record StoredTensor(string Name, ScalarType Type, long[] Shape, long[] Strides, long Offset, TensorStorage Storage)
{
    /// <summary>The element types weights files use, by the size of one element in bytes.</summary>
    public static readonly IReadOnlyDictionary<ScalarType, int> ElementSizes = new Dictionary<ScalarType, int>
    {
        [ScalarType.Byte] = 1, [ScalarType.Int8] = 1, [ScalarType.Int16] = 2, [ScalarType.Int32] = 4, [ScalarType.Int64] = 8,
        [ScalarType.Float16] = 2, [ScalarType.BFloat16] = 2, [ScalarType.Float32] = 4, [ScalarType.Float64] = 8, [ScalarType.Bool] = 1,
    };

    /// <summary>A tensor whose elements lie one after another from <paramref name="fileOffset"/>.</summary>
    public static StoredTensor Contiguous(string name, ScalarType type, long[] shape, long fileOffset) =>
        new(name, type, shape, ContiguousStrides(shape), 0, new TensorStorage(null, fileOffset, shape.Aggregate(1L, (product, size) => product * size)));

    /// <summary>The strides of a row-major tensor of <paramref name="shape"/>.</summary>
    public static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= Math.Max(1, shape[d]);
        }
        return strides;
    }

    /// <summary>The elements of the storage the view spans, from <see cref="Offset"/>: none for an empty tensor; null past long's
    /// range.</summary>
    public long? Span()
    {
        if (Shape.Any(size => size == 0))
            return 0;
        try
        {
            return checked(1 + Shape.Zip(Strides, (size, stride) => (size - 1) * stride).Sum());
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>Whether the elements lie one after another in row-major order.</summary>
    public bool IsContiguous => Shape.Zip(Strides, ContiguousStrides(Shape)).All(d => d.First <= 1 || d.Second == d.Third);

    /// <summary>Whether <paramref name="tensor"/> has this tensor's type and shape.</summary>
    public bool Fits(Tensor tensor) => tensor.dtype == Type && tensor.shape.SequenceEqual(Shape);

    /// <summary>The type and shape, as errors print them.</summary>
    public string Describe() => Describe(Type, Shape);

    /// <summary>A type and shape, as errors print them: <c>float32 [64, 3, 7, 7]</c>.</summary>
    public static string Describe(ScalarType type, long[] shape) => $"{type.ToString().ToLowerInvariant()} [{string.Join(", ", shape)}]";
}
