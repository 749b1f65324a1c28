using MLNetCnn.Data;
using MLNetCnn.Explanations;

namespace MLNetCnn.Visualization;

/// <summary>
/// Lays a <see cref="HeatMap"/> over its image in the "jet" colour map (blue for no evidence, through green and yellow, to red
/// for the strongest), as Grad-CAM pictures show it.
/// </summary>
public static class HeatMapOverlay
{
    /// <summary>The default weight of the heat map's colour against the image's.</summary>
    public const float DefaultOpacity = 0.5f;

    /// <summary>The image with the heat map over it, as 3-channel CHW pixel values from 0 to 255 (as galleries draw them).</summary>
    /// <param name="image">The explained image, CHW, 1 (grey) or 3 (RGB) channels.</param>
    /// <param name="shape">Its shape; its height and width must be the map's.</param>
    /// <param name="map">The heat map.</param>
    /// <param name="pixelScale">The value of a full-intensity pixel in <paramref name="image"/>: 255 for 8-bit images, 1 for 0..1.</param>
    /// <param name="opacity">The colour map's weight, from 0 (only the image) to 1 (only the heat map).</param>
    /// <exception cref="ArgumentException">The image does not have the shape, or the shape is not the map's size or has other than
    /// 1 or 3 channels.</exception>
    public static float[] Blend(ReadOnlySpan<float> image, ImageShape shape, HeatMap map, float pixelScale = 255, float opacity = DefaultOpacity)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (shape.Channels is not (1 or 3) || image.Length != shape.Size)
        {
            throw new ArgumentException($"An overlay needs a grey or RGB image of shape {shape} ({shape.Size} values); got {image.Length} values.",
                nameof(image));
        }
        if (shape.Height != map.Height || shape.Width != map.Width)
            throw new ArgumentException($"The heat map is {map.Width}x{map.Height} but the image {shape.Width}x{shape.Height}.", nameof(map));
        if (pixelScale <= 0 || !float.IsFinite(pixelScale))
            throw new ArgumentOutOfRangeException(nameof(pixelScale), $"The pixel scale must be positive; got {pixelScale}.");
        if (!(opacity is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(opacity), $"The opacity must be from 0 to 1; got {opacity}.");
        int plane = shape.Height * shape.Width;
        var blended = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            var colour = Jet(map.Values[i]);
            for (int c = 0; c < 3; c++)
            {
                float pixel = Math.Clamp(image[(shape.Channels == 3 ? c * plane : 0) + i] / pixelScale, 0, 1) * 255;
                float heat = c switch { 0 => colour.Red, 1 => colour.Green, _ => colour.Blue };
                blended[c * plane + i] = (1 - opacity) * pixel + opacity * heat;
            }
        }
        return blended;
    }

    /// <summary>The image with the heat map over it as a picture, one pixel per image pixel (see <see cref="Blend"/>).</summary>
    public static RgbImage Render(ReadOnlySpan<float> image, ImageShape shape, HeatMap map, float pixelScale = 255, float opacity = DefaultOpacity)
    {
        var blended = Blend(image, shape, map, pixelScale, opacity);
        int plane = shape.Height * shape.Width;
        var picture = new RgbImage(shape.Width, shape.Height);
        for (int i = 0; i < plane; i++)
            picture.Set(i % shape.Width, i / shape.Width, ToByte(blended[i]), ToByte(blended[plane + i]), ToByte(blended[2 * plane + i]));
        return picture;
    }

    /// <summary>The jet colour of a value from 0 (dark blue) to 1 (dark red), as 0-255 levels.</summary>
    public static (byte Red, byte Green, byte Blue) Jet(float value)
    {
        float v = Math.Clamp(value, 0, 1);
        return (Ramp(v, 3), Ramp(v, 2), Ramp(v, 1));
    }

    private static byte Ramp(float v, int centre) => ToByte(255 * Math.Clamp(1.5f - Math.Abs(4 * v - centre), 0, 1));

    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value), 0, 255);
}
