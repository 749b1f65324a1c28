using Microsoft.ML.Data;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>Turns CHW pixel values back into ML.NET images, to write augmented images as image columns or to look at them.</summary>
public static class ImagePixels
{
    /// <summary>
    /// An opaque RGBA image of 1-channel (grey) or 3-channel (RGB) CHW pixels, each value rounded and clamped
    /// to 0..255. The caller owns (and disposes) the image.
    /// </summary>
    public static MLImage ToImage(ReadOnlySpan<float> pixels, ImageShape shape)
    {
        var bytes = new byte[shape.Height * shape.Width * 4];
        return ToImage(pixels, shape, bytes);
    }

    /// <summary>As <see cref="ToImage(ReadOnlySpan{float}, ImageShape)"/>, with a reusable buffer of <c>4 * height * width</c>
    /// bytes.</summary>
    internal static MLImage ToImage(ReadOnlySpan<float> pixels, ImageShape shape, byte[] scratch)
    {
        if (shape.Channels is not (1 or 3))
            throw new ArgumentException($"Images have 1 (grey) or 3 (RGB) channels; got shape {shape}.", nameof(shape));
        if (pixels.Length != shape.Size)
            throw new ArgumentException($"An image of shape {shape} has {shape.Size} values; got {pixels.Length}.", nameof(pixels));
        int plane = shape.Height * shape.Width;
        var green = shape.Channels == 3 ? pixels.Slice(plane, plane) : pixels[..plane];
        var blue = shape.Channels == 3 ? pixels.Slice(2 * plane, plane) : pixels[..plane];
        for (int i = 0; i < plane; i++)
        {
            scratch[4 * i] = ToByte(pixels[i]);
            scratch[4 * i + 1] = ToByte(green[i]);
            scratch[4 * i + 2] = ToByte(blue[i]);
            scratch[4 * i + 3] = byte.MaxValue;
        }
        return MLImage.CreateFromPixels(shape.Width, shape.Height, MLPixelFormat.Rgba32, scratch.AsSpan(0, 4 * plane));
    }

    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value), 0, 255);
}
