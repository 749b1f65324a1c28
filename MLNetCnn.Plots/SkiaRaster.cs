using MLNetCnn.Visualization;
using SkiaSharp;

namespace MLNetCnn.Plots;

/// <summary>Draws on a white SkiaSharp canvas and returns the picture as an <see cref="RgbImage"/>.</summary>
internal static class SkiaRaster
{
    /// <summary>The font of every picture: DejaVu Sans where installed, SkiaSharp's default otherwise.</summary>
    public const string FontFamily = "DejaVu Sans";

    /// <summary>The width in pixels of the widest of <paramref name="texts"/> in the pictures' font at <paramref name="size"/>.</summary>
    public static float TextWidth(IEnumerable<string> texts, float size)
    {
        using var typeface = SKTypeface.FromFamilyName(FontFamily);
        using var font = new SKFont(typeface, size);
        return texts.Select(text => font.MeasureText(text)).DefaultIfEmpty(0).Max();
    }

    public static RgbImage Draw(int width, int height, Action<SKCanvas> draw)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            draw(canvas);
        }
        var image = new RgbImage(width, height);
        var pixels = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * bitmap.RowBytes, width * 4);
            for (int x = 0; x < width; x++)
                image.Set(x, y, row[4 * x], row[4 * x + 1], row[4 * x + 2]);
        }
        return image;
    }
}
