using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Augmentation;

/// <summary>
/// Random erasing (Zhong et al., 2020; torchvision's <c>RandomErasing</c>): with probability
/// <see cref="Probability"/>, a rectangle covering a uniform fraction of the image's area in
/// [<see cref="MinScale"/>, <see cref="MaxScale"/>], of aspect ratio (width / height) log-uniform in
/// [<see cref="MinRatio"/>, <see cref="MaxRatio"/>], is filled in every channel, with <see cref="FillValue"/> or,
/// when <see cref="RandomFill"/> is set, with values uniform between the image's smallest and largest value.
/// </summary>
public sealed class RandomErasing : ImageOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="probability">The chance that an image gets a rectangle erased.</param>
    /// <param name="minScale">Smallest fraction of the image's area erased.</param>
    /// <param name="maxScale">Largest fraction of the image's area erased.</param>
    /// <param name="minRatio">Smallest aspect ratio (width / height) of the rectangle.</param>
    /// <param name="maxRatio">Largest aspect ratio (width / height) of the rectangle.</param>
    /// <param name="fillValue">The value written into the rectangle.</param>
    /// <param name="randomFill">Fill with random values in the image's range instead of <paramref name="fillValue"/>.</param>
    public RandomErasing(double probability = 0.5, double minScale = 0.02, double maxScale = 0.33, double minRatio = 0.3, double maxRatio = 3.3,
        float fillValue = 0, bool randomFill = false)
    {
        CheckValue(probability, 0, 1, "Probability", nameof(RandomErasing));
        CheckPositiveRange(minScale, maxScale, 1, "MinScale", "MaxScale", nameof(RandomErasing));
        CheckPositiveRange(minRatio, maxRatio, double.PositiveInfinity, "MinRatio", "MaxRatio", nameof(RandomErasing));
        if (!float.IsFinite(fillValue))
            throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, "RandomErasing: FillValue must be finite.");
        Probability = probability;
        MinScale = minScale;
        MaxScale = maxScale;
        MinRatio = minRatio;
        MaxRatio = maxRatio;
        FillValue = fillValue;
        RandomFill = randomFill;
    }

    /// <summary>The chance that an image gets a rectangle erased.</summary>
    public double Probability { get; }

    /// <summary>Smallest fraction of the image's area erased.</summary>
    public double MinScale { get; }

    /// <summary>Largest fraction of the image's area erased.</summary>
    public double MaxScale { get; }

    /// <summary>Smallest aspect ratio (width / height) of the rectangle.</summary>
    public double MinRatio { get; }

    /// <summary>Largest aspect ratio (width / height) of the rectangle.</summary>
    public double MaxRatio { get; }

    /// <summary>The value written into the rectangle.</summary>
    public float FillValue { get; }

    /// <summary>Whether the rectangle gets random values in the image's range instead of <see cref="FillValue"/>.</summary>
    public bool RandomFill { get; }

    /// <inheritdoc/>
    public override bool IsRandom => true;

    /// <inheritdoc/>
    public override ImageShape OutputShape(ImageShape input) => input;

    private protected override void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random)
    {
        source.CopyTo(destination);
        if (!random.Chance(Probability)
            || !ImageRegion.TrySample(shape.Height, shape.Width, MinScale, MaxScale, MinRatio, MaxRatio, ref random, out var region))
            return;
        float low = FillValue, high = FillValue;
        if (RandomFill)
        {
            low = float.PositiveInfinity;
            high = float.NegativeInfinity;
            foreach (float value in source)
            {
                low = Math.Min(low, value);
                high = Math.Max(high, value);
            }
        }
        for (int c = 0; c < shape.Channels; c++)
        {
            for (int y = region.Top; y < region.Top + region.Height; y++)
            {
                var row = destination.Slice((c * shape.Height + y) * shape.Width + region.Left, region.Width);
                if (!RandomFill)
                {
                    row.Fill(FillValue);
                    continue;
                }
                foreach (ref float value in row)
                    value = (float)random.Uniform(low, high);
            }
        }
    }

    internal static RandomErasing LoadParameters(BinaryReader reader) =>
        new(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadSingle(), reader.ReadBoolean());

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write(Probability);
        writer.Write(MinScale);
        writer.Write(MaxScale);
        writer.Write(MinRatio);
        writer.Write(MaxRatio);
        writer.Write(FillValue);
        writer.Write(RandomFill);
    }
}
