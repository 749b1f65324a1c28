using MLNetCnn.IO;

namespace MLNetCnn.Visualization;

/// <summary>
/// An 8-bit RGB raster, row by row, three bytes per pixel; saved as PNG. In a Polyglot (.NET Interactive) notebook,
/// <c>display(image)</c> shows it as a PNG picture.
/// </summary>
[TypeFormatterSource(typeof(RgbImageFormatterSource), PreferredMimeTypes = [RgbImageFormatterSource.PngMimeType])]
public sealed class RgbImage
{
    /// <summary>Creates an image filled with one colour.</summary>
    public RgbImage(int width, int height, (byte Red, byte Green, byte Blue) fill = default)
    {
        if (width < 1 || height < 1 || (long)width * height * 3 > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(width), $"An image of {width}x{height} pixels cannot be made.");
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        for (int i = 0; i < Pixels.Length; i += 3)
            (Pixels[i], Pixels[i + 1], Pixels[i + 2]) = fill;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The red, green and blue bytes of every pixel, row after row from the top.</summary>
    public byte[] Pixels { get; }

    /// <summary>Sets the pixel at column <paramref name="x"/> and row <paramref name="y"/>.</summary>
    public void Set(int x, int y, byte red, byte green, byte blue)
    {
        int i = (y * Width + x) * 3;
        Pixels[i] = red;
        Pixels[i + 1] = green;
        Pixels[i + 2] = blue;
    }

    /// <summary>Writes the image as a PNG file, atomically (see <see cref="AtomicFile"/>).</summary>
    public void SavePng(string path) => AtomicFile.Write(path, stream => PngWriter.Write(stream, this));

    /// <summary>The image encoded as PNG.</summary>
    public byte[] ToPng()
    {
        using var png = new MemoryStream();
        PngWriter.Write(png, this);
        return png.ToArray();
    }
}
