using MLNetCnn.Data;
using static TorchSharp.torch;

namespace MLNetCnn.Data;

/// <summary>
/// Per-channel standardisation <c>(x - mean) / std</c> applied to every batch before the network, so inputs
/// on any scale (0..255 pixels, 0..1 floats) train alike. Stored with the model and applied when scoring.
/// </summary>
public sealed record InputNormalization
{
    /// <summary>The standard deviation a constant channel gets, so that standardising it divides by a positive number.</summary>
    public const double MinimumStd = 1e-6;

    /// <summary>Creates a normalisation from one mean and one positive standard deviation per channel.</summary>
    public InputNormalization(float[] mean, float[] std)
    {
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalisation needs one mean and one std per channel; got {mean.Length} and {std.Length}.");
        if (mean.Any(m => !float.IsFinite(m)) || std.Any(s => !float.IsFinite(s) || s <= 0))
            throw new ArgumentException("Normalisation means must be finite and standard deviations finite and positive.");
        Mean = mean;
        Std = std;
    }

    /// <summary>Mean per channel.</summary>
    public float[] Mean { get; }

    /// <summary>Standard deviation per channel.</summary>
    public float[] Std { get; }

    /// <summary>Leaves values as they are (mean 0, std 1).</summary>
    public static InputNormalization Identity(int channels) => new(new float[channels], Enumerable.Repeat(1f, channels).ToArray());

    /// <summary>The per-channel mean and standard deviation of a data set's pixels.</summary>
    public static InputNormalization FromData(ImageDataset data)
    {
        var statistics = new PixelStatistics(data.Shape.Channels);
        for (int image = 0; image < data.Count; image++)
            statistics.Add(data.Image(image), data.Shape);
        return FromStatistics(statistics);
    }

    /// <summary>The mean and standard deviation of each channel in <paramref name="statistics"/> (a constant channel gets a tiny positive
    /// std).</summary>
    public static InputNormalization FromStatistics(PixelStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        return new InputNormalization(
            [.. statistics.Mean().Select(m => (float)m)],
            [.. statistics.StandardDeviation().Select(s => (float)Math.Max(s, MinimumStd))]);
    }

    /// <summary>Standardises an (N, C, H, W) batch, on the batch's device.</summary>
    public Tensor Apply(Tensor batch)
    {
        long channels = Mean.Length;
        using var mean = tensor(Mean, device: batch.device).view(1, channels, 1, 1);
        using var std = tensor(Std, device: batch.device).view(1, channels, 1, 1);
        return batch.sub(mean).div_(std);
    }
}
