using System.Buffers;
using MLNetCnn.Data;

namespace MLNetCnn.Augmentation;

/// <summary>
/// Bilinear resampling of CHW images: resizing a region, and warping by an affine map. Pixel centres sit at
/// half-integer coordinates (PyTorch's <c>align_corners=False</c>); scratch space comes from a pool, so
/// resampling allocates nothing once warm.
/// </summary>
internal static class Bilinear
{
    /// <summary>
    /// Resizes <paramref name="region"/> of <paramref name="source"/> to <paramref name="height"/> x
    /// <paramref name="width"/>, sampling only inside the region (its edge pixels extend outwards).
    /// </summary>
    public static void Resize(ReadOnlySpan<float> source, ImageShape shape, ImageRegion region, Span<float> destination, int height, int width)
    {
        int[] indices = ArrayPool<int>.Shared.Rent(2 * (height + width));
        float[] weights = ArrayPool<float>.Shared.Rent(height + width);
        try
        {
            var y0 = indices.AsSpan(0, height);
            var y1 = indices.AsSpan(height, height);
            var x0 = indices.AsSpan(2 * height, width);
            var x1 = indices.AsSpan(2 * height + width, width);
            var wy = weights.AsSpan(0, height);
            var wx = weights.AsSpan(height, width);
            Taps(region.Top, region.Height, height, y0, y1, wy);
            Taps(region.Left, region.Width, width, x0, x1, wx);
            int plane = shape.Height * shape.Width;
            for (int c = 0; c < shape.Channels; c++)
            {
                var from = source.Slice(c * plane, plane);
                var to = destination.Slice(c * height * width, height * width);
                for (int y = 0; y < height; y++)
                {
                    var upper = from.Slice(y0[y] * shape.Width, shape.Width);
                    var lower = from.Slice(y1[y] * shape.Width, shape.Width);
                    float fy = wy[y];
                    var row = to.Slice(y * width, width);
                    for (int x = 0; x < width; x++)
                    {
                        float fx = wx[x];
                        float top = upper[x0[x]] + fx * (upper[x1[x]] - upper[x0[x]]);
                        float bottom = lower[x0[x]] + fx * (lower[x1[x]] - lower[x0[x]]);
                        row[x] = top + fy * (bottom - top);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
            ArrayPool<float>.Shared.Return(weights);
        }
    }

    /// <summary>
    /// Writes the image whose pixel at (x, y) samples <paramref name="source"/> at <paramref name="inverse"/>
    /// applied to (x, y): the map goes from output to input, in pixel coordinates whose origin is the top-left
    /// corner of the image. Samples outside the input read zeros.
    /// </summary>
    public static void Warp(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, in AffineMap inverse)
    {
        int height = shape.Height, width = shape.Width, plane = height * width, channels = shape.Channels;
        for (int y = 0; y < height; y++)
        {
            // Sample positions of the row's pixel centres, advanced by one column at a time.
            double sx = inverse.XX * 0.5 + inverse.XY * (y + 0.5) + inverse.X0 - 0.5;
            double sy = inverse.YX * 0.5 + inverse.YY * (y + 0.5) + inverse.Y0 - 0.5;
            for (int x = 0; x < width; x++, sx += inverse.XX, sy += inverse.YX)
            {
                int output = y * width + x;
                if (sx <= -1 || sy <= -1 || sx >= width || sy >= height)
                {
                    for (int c = 0; c < channels; c++)
                        destination[c * plane + output] = 0;
                    continue;
                }
                int left = (int)Math.Floor(sx), top = (int)Math.Floor(sy);
                float fx = (float)(sx - left), fy = (float)(sy - top);
                float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
                int at = top * width + left;
                if (left >= 0 && top >= 0 && left + 1 < width && top + 1 < height)
                {
                    for (int c = 0, o = at; c < channels; c++, o += plane)
                        destination[c * plane + output] = w00 * source[o] + w01 * source[o + 1] + w10 * source[o + width] + w11 * source[o + width + 1];
                    continue;
                }
                bool hasLeft = left >= 0, hasRight = left + 1 < width, hasTop = top >= 0, hasBottom = top + 1 < height;
                for (int c = 0, o = at; c < channels; c++, o += plane)
                {
                    float value = 0;
                    if (hasTop && hasLeft) value += w00 * source[o];
                    if (hasTop && hasRight) value += w01 * source[o + 1];
                    if (hasBottom && hasLeft) value += w10 * source[o + width];
                    if (hasBottom && hasRight) value += w11 * source[o + width + 1];
                    destination[c * plane + output] = value;
                }
            }
        }
    }

    private static void Taps(int start, int length, int size, Span<int> first, Span<int> second, Span<float> weight)
    {
        double scale = (double)length / size;
        int last = start + length - 1;
        for (int i = 0; i < size; i++)
        {
            double at = Math.Clamp(start + (i + 0.5) * scale - 0.5, start, last);
            int floor = (int)at;
            first[i] = floor;
            second[i] = Math.Min(floor + 1, last);
            weight[i] = (float)(at - floor);
        }
    }
}

/// <summary>An affine map of the plane: (x, y) goes to (XX x + XY y + X0, YX x + YY y + Y0).</summary>
internal readonly record struct AffineMap(double XX, double XY, double X0, double YX, double YY, double Y0);
