using System.Buffers.Binary;
using System.IO.Compression;
using MLNetCnn.Visualization;
using Microsoft.ML.Data;
using MLNetCnn.IO;

namespace MLNetCnn.Tests;

/// <summary>Writes small image files (PNG, JPEG), and checks images that tests read back.</summary>
internal static class ImageFiles
{
    /// <summary>
    /// Writes a colour (or grey) image of <paramref name="width"/> x <paramref name="height"/>: class
    /// <paramref name="label"/> is a bright bar (horizontal for even labels, vertical for odd) over noise.
    /// The format follows the extension.
    /// </summary>
    public static string Write(string path, int label, int width = 12, int height = 12, bool grey = false, int seed = 0)
    {
        var random = new Random(seed * 31 + label);
        var pixels = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bool bar = label % 2 == 0 ? y == height / 2 - 2 + label : x == width / 2 - 2 + label;
                byte noise = (byte)random.Next(0, 60);
                int i = (y * width + x) * 4;
                var (r, g, b) = bar ? ((byte)255, grey ? (byte)255 : (byte)(80 * (label % 3)), grey ? (byte)255 : (byte)120) : (noise, noise, noise);
                (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]) = (r, g, b, 255);
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var image = MLImage.CreateFromPixels(width, height, MLPixelFormat.Rgba32, pixels);
        image.Save(path);
        return path;
    }

    /// <summary>
    /// A folder with one subfolder per class (<c>a</c>, <c>b</c>, ...), <paramref name="perClass"/> PNG images of
    /// 12x12 in each, written under <paramref name="folder"/>.
    /// </summary>
    public static string ClassFolder(string folder, int classes = 2, int perClass = 8, int seed = 0)
    {
        for (int label = 0; label < classes; label++)
        {
            for (int i = 0; i < perClass; i++)
                Write(Path.Combine(folder, ClassName(label), $"{i}.png"), label, seed: seed * 1000 + i);
        }
        return folder;
    }

    /// <summary>
    /// Writes a complete black PNG of <paramref name="width"/> x <paramref name="height"/> that is small on disk (1 bit per
    /// pixel, deflated zeros: 46000 x 46000 takes about 2.5 MB) but decodes to gigabytes: a decompression bomb.
    /// </summary>
    public static string WriteBlankPng(string path, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var file = File.Create(path);
        file.Write(PngWriter.Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 1;  // bits per pixel, grey
        PngWriter.WriteChunk(file, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[1 + (width + 7) / 8];
            for (int y = 0; y < height; y++)
                zlib.Write(row);
        }
        PngWriter.WriteChunk(file, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        PngWriter.WriteChunk(file, "IEND", []);
        return path;
    }

    /// <summary>The folder name of class <paramref name="label"/>.</summary>
    public static string ClassName(int label) => ((char)('a' + label)).ToString();

    /// <summary>Decodes a PNG and returns its size and the number of distinct colours in it.</summary>
    public static (int Width, int Height, int Colours) Inspect(string path)
    {
        using var image = MLImage.CreateFromFile(path);
        return Inspect(image);
    }

    /// <summary>Decodes an encoded image (PNG, JPEG, ...) and returns its size and number of distinct colours.</summary>
    public static (int Width, int Height, int Colours) Inspect(byte[] encoded)
    {
        using var stream = new MemoryStream(encoded);
        using var image = MLImage.CreateFromStream(stream);
        return Inspect(image);
    }

    private static (int Width, int Height, int Colours) Inspect(MLImage image)
    {
        var pixels = image.Pixels;
        var colours = new HashSet<int>();
        for (int i = 0; i + 3 < pixels.Length; i += 4)
            colours.Add(pixels[i] | pixels[i + 1] << 8 | pixels[i + 2] << 16);
        return (image.Width, image.Height, colours.Count);
    }
}
