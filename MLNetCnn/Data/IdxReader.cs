using System.Buffers.Binary;
using System.IO.Compression;

namespace MLNetCnn.Data;

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST (plain or gzip-compressed, recognised by content):
/// unsigned-byte images (magic 0x00000803) and labels (magic 0x00000801).
/// </summary>
public static class IdxReader
{
    private const int ImagesMagic = 0x0803;
    private const int LabelsMagic = 0x0801;
    private const int MaxDimension = 1 << 24;

    /// <summary>Reads an image file and its label file into a data set of grey images.</summary>
    /// <param name="imagesPath">The <c>*-images-idx3-ubyte[.gz]</c> file.</param>
    /// <param name="labelsPath">The <c>*-labels-idx1-ubyte[.gz]</c> file.</param>
    /// <param name="classCount">Number of classes; by default one more than the largest label.</param>
    public static ImageDataset ReadDataset(string imagesPath, string labelsPath, int? classCount = null)
    {
        using var images = OpenFile(imagesPath);
        using var labels = OpenFile(labelsPath);
        return ReadDataset(images, imagesPath, labels, labelsPath, classCount);
    }

    /// <summary>Reads images and labels from streams; the names are used in error messages.</summary>
    public static ImageDataset ReadDataset(Stream images, string imagesName, Stream labels, string labelsName, int? classCount = null)
    {
        var (pixels, shape) = ReadImages(images, imagesName);
        var labelValues = ReadLabels(labels, labelsName);
        int count = pixels.Length / shape.Size;
        if (labelValues.Length != count)
            throw new InvalidDataException($"'{imagesName}' holds {count} images but '{labelsName}' holds {labelValues.Length} labels.");
        int outOfRange = classCount is { } classes ? Array.FindIndex(labelValues, label => label >= classes) : -1;
        if (outOfRange >= 0)
            throw new InvalidDataException($"'{labelsName}' holds label {labelValues[outOfRange]} at position {outOfRange}, outside the {classCount} classes (0 to {classCount - 1}).");
        return new ImageDataset(shape, pixels, labelValues, classCount ?? (labelValues.Length == 0 ? 1 : labelValues.Max() + 1));
    }

    /// <summary>Reads an IDX image file: pixel values 0..255 as floats and the 1 x rows x columns shape.</summary>
    public static (float[] Pixels, ImageShape Shape) ReadImages(Stream stream, string name)
    {
        using var input = Decompressed(stream);
        var header = ReadHeader(input, name, ImagesMagic, dimensions: 3);
        if ((long)header[1] * header[2] > Array.MaxLength)
            throw new InvalidDataException($"'{name}' declares images of {header[1]}x{header[2]} pixels, more than one array can hold: the header is damaged.");
        var shape = new ImageShape(1, header[1], header[2]);
        var bytes = ReadExactly(input, name, (long)header[0] * shape.Size);
        var pixels = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
            pixels[i] = bytes[i];
        return (pixels, shape);
    }

    /// <summary>Reads an IDX label file.</summary>
    public static int[] ReadLabels(Stream stream, string name)
    {
        using var input = Decompressed(stream);
        var header = ReadHeader(input, name, LabelsMagic, dimensions: 1);
        return Array.ConvertAll(ReadExactly(input, name, header[0]), b => (int)b);
    }

    private static FileStream OpenFile(string path) =>
        File.Exists(path) ? File.OpenRead(path) : throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);

    private static Stream Decompressed(Stream stream)
    {
        if (!stream.CanSeek)
            throw new ArgumentException("The IDX stream must be seekable.", nameof(stream));
        Span<byte> signature = stackalloc byte[2];
        long start = stream.Position;
        int read = stream.ReadAtLeast(signature, signature.Length, throwOnEndOfStream: false);
        stream.Position = start;
        var buffered = new BufferedStream(stream, 1 << 16);
        bool gzip = read == 2 && signature[0] == 0x1f && signature[1] == 0x8b;
        return gzip ? new GZipStream(buffered, CompressionMode.Decompress) : buffered;
    }

    private static int[] ReadHeader(Stream input, string name, int expectedMagic, int dimensions)
    {
        var bytes = ReadExactly(input, name, 4 * (1 + dimensions));
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new InvalidDataException($"'{name}' is not an IDX {(expectedMagic == ImagesMagic ? "image" : "label")} file: magic number 0x{magic:X8}, expected 0x{expectedMagic:X8}.");
        var header = new int[dimensions];
        for (int i = 0; i < dimensions; i++)
        {
            header[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 * (i + 1)));
            if (header[i] < 0 || header[i] > MaxDimension || (i > 0 && header[i] == 0))
                throw new InvalidDataException($"'{name}' has an invalid dimension {i}: {header[i]}.");
        }
        return header;
    }

    private static byte[] ReadExactly(Stream input, string name, long count)
    {
        if (count > Array.MaxLength)
            throw new InvalidDataException($"'{name}' declares {count} bytes, more than one array can hold.");
        var buffer = new byte[count];
        int read = input.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read < count)
            throw new InvalidDataException($"'{name}' is truncated: expected {count} bytes, found {read}.");
        return buffer;
    }
}
