namespace MLNetCnn.Data;

/// <summary>
/// Running per-channel statistics of pixel values over any number of CHW images: the mean, the standard
/// deviation and the covariance between channels (what input normalisation and PCA lighting noise are fitted on).
/// </summary>
public sealed class PixelStatistics
{
    private readonly double[] _sums;
    private readonly double[,] _products;

    /// <summary>Starts empty statistics for images of <paramref name="channels"/> channels.</summary>
    public PixelStatistics(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Channels = channels;
        _sums = new double[channels];
        _products = new double[channels, channels];
    }

    /// <summary>The number of channels.</summary>
    public int Channels { get; }

    /// <summary>How many pixels (per channel) were added.</summary>
    public long PixelCount { get; private set; }

    /// <summary>Adds every pixel of one image.</summary>
    public void Add(ReadOnlySpan<float> image, ImageShape shape)
    {
        if (shape.Channels != Channels)
            throw new ArgumentException($"These statistics are over {Channels} channels; the image has shape {shape}.", nameof(shape));
        var sums = new double[Channels];
        var products = new double[Channels * Channels];
        Summarise(image, shape, sums, products);
        Add(sums, products, shape.Height * shape.Width);
    }

    /// <summary>
    /// One image's share of the statistics, into <paramref name="sums"/> (one per channel) and <paramref name="products"/>
    /// (channels x channels, lower triangle), on any thread; <see cref="Add(ReadOnlySpan{double}, ReadOnlySpan{double}, long)"/>
    /// then adds it exactly as adding the image would.
    /// </summary>
    public static void Summarise(ReadOnlySpan<float> image, ImageShape shape, Span<double> sums, Span<double> products)
    {
        if (image.Length != shape.Size)
            throw new ArgumentException($"An image of shape {shape} has {shape.Size} values; got {image.Length}.", nameof(image));
        int channels = shape.Channels;
        if (sums.Length != channels || products.Length != channels * channels)
            throw new ArgumentException($"An image of {channels} channels is summarised into {channels} sums and {channels * channels} products.");
        int plane = shape.Height * shape.Width;
        for (int c = 0; c < channels; c++)
        {
            var values = image.Slice(c * plane, plane);
            double sum = 0;
            foreach (float value in values)
                sum += value;
            sums[c] = sum;
            for (int d = 0; d <= c; d++)
                products[c * channels + d] = Dot(values, image.Slice(d * plane, plane));
        }
    }

    /// <summary>Adds one image's summary (see <see cref="Summarise"/>) of <paramref name="pixels"/> pixels per channel.</summary>
    public void Add(ReadOnlySpan<double> sums, ReadOnlySpan<double> products, long pixels)
    {
        if (sums.Length != Channels || products.Length != Channels * Channels)
            throw new ArgumentException($"These statistics are over {Channels} channels; the summary has {sums.Length}.", nameof(sums));
        for (int c = 0; c < Channels; c++)
        {
            _sums[c] += sums[c];
            for (int d = 0; d <= c; d++)
                _products[c, d] += products[c * Channels + d];
        }
        PixelCount += pixels;
    }

    /// <summary>The mean of each channel.</summary>
    public double[] Mean() => [.. _sums.Select(s => s / Count)];

    /// <summary>The (population) covariance between channels.</summary>
    public double[,] Covariance()
    {
        var mean = Mean();
        var covariance = new double[Channels, Channels];
        for (int c = 0; c < Channels; c++)
        {
            for (int d = 0; d <= c; d++)
                covariance[c, d] = covariance[d, c] = _products[c, d] / Count - mean[c] * mean[d];
        }
        return covariance;
    }

    /// <summary>The (population) standard deviation of each channel.</summary>
    public double[] StandardDeviation()
    {
        var covariance = Covariance();
        return [.. Enumerable.Range(0, Channels).Select(c => Math.Sqrt(Math.Max(0, covariance[c, c])))];
    }

    private double Count => Math.Max(1, PixelCount);

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            sum += (double)a[i] * b[i];
        return sum;
    }
}
