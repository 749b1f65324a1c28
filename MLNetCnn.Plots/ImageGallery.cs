using System.Runtime.InteropServices;
using MLNetCnn.Data;
using MLNetCnn.Visualization;
using SkiaSharp;

namespace MLNetCnn.Plots;

/// <summary>One row of an <see cref="ImageGallery"/>.</summary>
/// <param name="Images">The row's images: CHW pixel values from 0 to 255, each of the gallery's shape.</param>
/// <param name="Title">Written left of the row; <c>null</c> for none.</param>
/// <param name="Captions">Written under the images, one per image (<c>\n</c> starts a new line); <c>null</c> for none.</param>
public sealed record GalleryRow(IReadOnlyList<float[]> Images, string? Title = null, IReadOnlyList<string>? Captions = null);

/// <summary>
/// Draws images as a grid, row by row, each pixel as a square block, with optional row titles and captions: samples of a
/// data set, augmented versions of them, or predictions with their labels.
/// </summary>
public static class ImageGallery
{
    private const int Gap = 4;
    private const float TextSize = 12;
    private const float LineHeight = 15;

    /// <summary>Draws <paramref name="rows"/> of images of one <paramref name="shape"/> (1 channel is drawn grey, 3 as RGB).</summary>
    /// <param name="rows">The rows, top to bottom.</param>
    /// <param name="shape">The shape of every image.</param>
    /// <param name="scale">The side of the square drawn for one image pixel (1-32).</param>
    /// <exception cref="ArgumentException">An image does not have the shape, captions do not match the images, or there is nothing to
    /// draw.</exception>
    public static RgbImage Draw(IReadOnlyList<GalleryRow> rows, ImageShape shape, int scale = 3)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 32);
        if (shape.Channels is not (1 or 3) || shape.Height < 1 || shape.Width < 1)
            throw new ArgumentException($"A gallery draws grey (1 channel) or RGB (3 channel) images; got shape {shape}.", nameof(shape));
        if (rows.Count == 0 || rows.All(r => r.Images.Count == 0))
            throw new ArgumentException("The gallery has no images to draw.", nameof(rows));
        for (int r = 0; r < rows.Count; r++)
            Check(rows[r], r, shape);

        using var typeface = SKTypeface.FromFamilyName(SkiaRaster.FontFamily);
        using var font = new SKFont(typeface, TextSize);
        using var text = new SKPaint { IsAntialias = true, Color = SKColors.Black };
        int imageWidth = shape.Width * scale, imageHeight = shape.Height * scale;
        int titleWidth = rows.Any(r => r.Title is not null)
            ? (int)Math.Ceiling(rows.Where(r => r.Title is not null).Max(r => font.MeasureText(r.Title))) + 2 * Gap
            : 0;
        int captionWidth = (int)Math.Ceiling(rows.SelectMany(r => r.Captions ?? []).SelectMany(Lines).Select(line => font.MeasureText(line)).DefaultIfEmpty(0).Max());
        int cellWidth = Math.Max(imageWidth, captionWidth + Gap);
        int columns = rows.Max(r => r.Images.Count);
        int[] rowHeights = [.. rows.Select(r => imageHeight + (int)Math.Ceiling(CaptionLines(r) * LineHeight))];

        return SkiaRaster.Draw(Gap + titleWidth + columns * (cellWidth + Gap), Gap + rowHeights.Sum(h => h + Gap), canvas =>
        {
            using var pixels = new SKBitmap(new SKImageInfo(shape.Width, shape.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
            var rgba = new byte[4 * shape.Width * shape.Height];
            var blocky = new SKSamplingOptions(SKFilterMode.Nearest);
            int top = Gap;
            for (int r = 0; r < rows.Count; r++)
            {
                var row = rows[r];
                if (row.Title is not null)
                    canvas.DrawText(row.Title, Gap, top + imageHeight / 2f + TextSize / 3, font, text);
                for (int c = 0; c < row.Images.Count; c++)
                {
                    int left = Gap + titleWidth + c * (cellWidth + Gap);
                    Fill(pixels, row.Images[c], shape, rgba);
                    float imageLeft = left + (cellWidth - imageWidth) / 2f;
                    using var image = SKImage.FromBitmap(pixels);
                    canvas.DrawImage(image, new SKRect(imageLeft, top, imageLeft + imageWidth, top + imageHeight), blocky);
                    var lines = row.Captions is null ? [] : Lines(row.Captions[c]);
                    for (int l = 0; l < lines.Length; l++)
                    {
                        float lineLeft = left + (cellWidth - font.MeasureText(lines[l])) / 2f;
                        canvas.DrawText(lines[l], lineLeft, top + imageHeight + (l + 1) * LineHeight - 3, font, text);
                    }
                }
                top += rowHeights[r] + Gap;
            }
        });
    }

    private static void Check(GalleryRow row, int index, ImageShape shape)
    {
        ArgumentNullException.ThrowIfNull(row);
        for (int i = 0; i < row.Images.Count; i++)
        {
            if (row.Images[i]?.Length != shape.Size)
            {
                throw new ArgumentException(
                    $"Image {i} of gallery row {index} has {row.Images[i]?.Length ?? 0} values; an image of shape {shape} has {shape.Size}.", nameof(row));
            }
        }
        if (row.Captions is not null && row.Captions.Count != row.Images.Count)
            throw new ArgumentException($"Gallery row {index} has {row.Captions.Count} captions for {row.Images.Count} images.", nameof(row));
    }

    private static int CaptionLines(GalleryRow row) => row.Captions?.Select(c => Lines(c).Length).DefaultIfEmpty(0).Max() ?? 0;

    private static string[] Lines(string caption) => caption.Split('\n');

    private static void Fill(SKBitmap bitmap, float[] image, ImageShape shape, byte[] rgba)
    {
        int plane = shape.Height * shape.Width;
        for (int i = 0; i < plane; i++)
        {
            byte red = ToByte(image[i]);
            var (green, blue) = shape.Channels == 3 ? (ToByte(image[plane + i]), ToByte(image[2 * plane + i])) : (red, red);
            (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]) = (red, green, blue, byte.MaxValue);
        }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
    }

    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value), 0, 255);
}
