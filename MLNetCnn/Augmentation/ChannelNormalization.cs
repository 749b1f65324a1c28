using MLNetCnn.Data;
using MLNetCnn.Runtime;
using MLNetCnn.Training;

namespace MLNetCnn.Augmentation;

/// <summary>The deterministic per-channel standardisation <c>(x - mean) / std</c> of <see cref="Normalization"/>.</summary>
/// <param name="normalization">One mean and one standard deviation per channel.</param>
public sealed class ChannelNormalization(InputNormalization normalization) : ImageOperation
{
    /// <summary>One mean and one standard deviation per channel.</summary>
    public InputNormalization Normalization { get; } = normalization ?? throw new ArgumentNullException(nameof(normalization));

    /// <inheritdoc/>
    public override bool IsRandom => false;

    /// <inheritdoc/>
    public override bool ProducesPixels => false;

    /// <inheritdoc/>
    public override ImageShape OutputShape(ImageShape input) =>
        input.Channels == Normalization.Mean.Length
            ? input
            : throw new ArgumentException($"ChannelNormalization has {Normalization.Mean.Length} mean(s) and standard deviation(s), but the images have shape {input}.");

    private protected override void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random)
    {
        int plane = shape.Height * shape.Width;
        for (int c = 0; c < shape.Channels; c++)
        {
            float mean = Normalization.Mean[c], scale = 1 / Normalization.Std[c];
            var from = source.Slice(c * plane, plane);
            var to = destination.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
                to[i] = (from[i] - mean) * scale;
        }
    }

    internal static ChannelNormalization LoadParameters(BinaryReader reader)
    {
        int channels = reader.ReadInt32();
        if (channels is < 1 or > 4096)
            throw new InvalidDataException($"The saved ChannelNormalization declares {channels} channels.");
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
            mean[c] = reader.ReadSingle();
        for (int c = 0; c < channels; c++)
            std[c] = reader.ReadSingle();
        return new ChannelNormalization(new InputNormalization(mean, std));
    }

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write(Normalization.Mean.Length);
        foreach (float value in Normalization.Mean.Concat(Normalization.Std))
            writer.Write(value);
    }
}
