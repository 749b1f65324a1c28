using MLNetCnn.Runtime;

namespace MLNetCnn.Augmentation;

/// <summary>A rectangle of pixels inside an image.</summary>
/// <param name="Top">Row of its top edge.</param>
/// <param name="Left">Column of its left edge.</param>
/// <param name="Height">Rows it spans.</param>
/// <param name="Width">Columns it spans.</param>
internal readonly record struct ImageRegion(int Top, int Left, int Height, int Width)
{
    private const int Attempts = 10;

    /// <summary>
    /// Draws a rectangle as torchvision's random resized crop and random erasing do: its area a uniform fraction
    /// of the image's in [<paramref name="minScale"/>, <paramref name="maxScale"/>], its aspect ratio
    /// (width / height) log-uniform in [<paramref name="minRatio"/>, <paramref name="maxRatio"/>], its place
    /// uniform among those that fit. Gives up after ten draws that do not fit.
    /// </summary>
    public static bool TrySample(int height, int width, double minScale, double maxScale, double minRatio, double maxRatio,
        ref AugmentationRandom random, out ImageRegion region)
    {
        double area = (double)height * width;
        double logMin = Math.Log(minRatio), logMax = Math.Log(maxRatio);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double target = area * random.Uniform(minScale, maxScale);
            double ratio = Math.Exp(random.Uniform(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(target * ratio));
            int h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                region = new ImageRegion(random.Between(0, height - h), random.Between(0, width - w), h, w);
                return true;
            }
        }
        region = default;
        return false;
    }
}
