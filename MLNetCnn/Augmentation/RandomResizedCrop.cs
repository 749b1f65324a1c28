using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Augmentation;

/// <summary>
/// Crops a random region and resizes it (bilinear) to a fixed size, as in the Inception training recipe and
/// torchvision's <c>RandomResizedCrop</c>: the region covers a uniform fraction of the image's area in
/// [<see cref="MinScale"/>, <see cref="MaxScale"/>], its aspect ratio (width / height) is log-uniform in
/// [<see cref="MinRatio"/>, <see cref="MaxRatio"/>], and its place is uniform. When ten draws do not fit, the
/// largest centred region of an allowed aspect ratio is taken.
/// </summary>
public sealed class RandomResizedCrop : ImageOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="height">Height of the result.</param>
    /// <param name="width">Width of the result.</param>
    /// <param name="minScale">Smallest fraction of the image's area a region covers.</param>
    /// <param name="maxScale">Largest fraction of the image's area a region covers.</param>
    /// <param name="minRatio">Smallest aspect ratio (width / height) of a region.</param>
    /// <param name="maxRatio">Largest aspect ratio (width / height) of a region.</param>
    public RandomResizedCrop(int height, int width, double minScale = 0.08, double maxScale = 1.0, double minRatio = 3.0 / 4, double maxRatio = 4.0 / 3)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"RandomResizedCrop: the output size {height}x{width} must be positive.");
        CheckPositiveRange(minScale, maxScale, 1, "MinScale", "MaxScale", nameof(RandomResizedCrop));
        CheckPositiveRange(minRatio, maxRatio, double.PositiveInfinity, "MinRatio", "MaxRatio", nameof(RandomResizedCrop));
        Height = height;
        Width = width;
        MinScale = minScale;
        MaxScale = maxScale;
        MinRatio = minRatio;
        MaxRatio = maxRatio;
    }

    /// <summary>Height of the result.</summary>
    public int Height { get; }

    /// <summary>Width of the result.</summary>
    public int Width { get; }

    /// <summary>Smallest fraction of the image's area a region covers.</summary>
    public double MinScale { get; }

    /// <summary>Largest fraction of the image's area a region covers.</summary>
    public double MaxScale { get; }

    /// <summary>Smallest aspect ratio (width / height) of a region.</summary>
    public double MinRatio { get; }

    /// <summary>Largest aspect ratio (width / height) of a region.</summary>
    public double MaxRatio { get; }

    /// <inheritdoc/>
    public override bool IsRandom => true;

    /// <inheritdoc/>
    public override ImageShape OutputShape(ImageShape input) => input with { Height = Height, Width = Width };

    /// <summary>The region cropped from an image of <paramref name="height"/> x <paramref name="width"/> pixels.</summary>
    internal ImageRegion SampleRegion(int height, int width, ref AugmentationRandom random)
    {
        if (ImageRegion.TrySample(height, width, MinScale, MaxScale, MinRatio, MaxRatio, ref random, out var region))
            return region;
        double ratio = Math.Clamp((double)width / height, MinRatio, MaxRatio);
        int w = Math.Min(width, Math.Max(1, (int)Math.Round(height * ratio)));
        int h = Math.Min(height, Math.Max(1, (int)Math.Round(w / ratio)));
        return new ImageRegion((height - h) / 2, (width - w) / 2, h, w);
    }

    private protected override void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random) =>
        Bilinear.Resize(source, shape, SampleRegion(shape.Height, shape.Width, ref random), destination, Height, Width);

    internal static RandomResizedCrop LoadParameters(BinaryReader reader) =>
        new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write(Height);
        writer.Write(Width);
        writer.Write(MinScale);
        writer.Write(MaxScale);
        writer.Write(MinRatio);
        writer.Write(MaxRatio);
    }
}
