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
        if (image.Length != shape.Size)
            throw new ArgumentException($"An image of shape {shape} has {shape.Size} values; got {image.Length}.", nameof(image));
        int plane = shape.Height * shape.Width;
        for (int c = 0; c < Channels; c++)
        {
            var values = image.Slice(c * plane, plane);
            double sum = 0;
            foreach (float value in values)
                sum += value;
            _sums[c] += sum;
            for (int d = 0; d <= c; d++)
                _products[c, d] += Dot(values, image.Slice(d * plane, plane));
        }
        PixelCount += plane;
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
