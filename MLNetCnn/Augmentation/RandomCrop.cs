using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Augmentation;

/// <summary>
/// A crop of fixed size at a uniformly random place, after padding every side with zeros (the CIFAR recipe:
/// pad 4, crop 32). Every offset from flush with the top-left padded corner to flush with the bottom-right
/// one is equally likely.
/// </summary>
public sealed class RandomCrop : ImageOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="height">Height of the crop.</param>
    /// <param name="width">Width of the crop.</param>
    /// <param name="padding">Zeros added on each side before cropping.</param>
    public RandomCrop(int height, int width, int padding = 0)
    {
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"RandomCrop: the crop size {height}x{width} must be positive.");
        if (padding < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "RandomCrop: Padding must not be negative.");
        Height = height;
        Width = width;
        Padding = padding;
    }

    /// <summary>Height of the crop.</summary>
    public int Height { get; }

    /// <summary>Width of the crop.</summary>
    public int Width { get; }

    /// <summary>Zeros added on each side before cropping.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    public override bool IsRandom => true;

    /// <inheritdoc/>
    public override ImageShape OutputShape(ImageShape input)
    {
        if (Height > input.Height + 2 * Padding || Width > input.Width + 2 * Padding)
            throw new ArgumentException($"RandomCrop: a {Height}x{Width} crop does not fit in {input} images padded by {Padding}.");
        return input with { Height = Height, Width = Width };
    }

    private protected override void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random)
    {
        int top = random.Between(0, shape.Height + 2 * Padding - Height) - Padding;
        int left = random.Between(0, shape.Width + 2 * Padding - Width) - Padding;
        Copy(source, shape, destination, top, left, Height, Width);
    }

    /// <summary>
    /// Copies the <paramref name="height"/> x <paramref name="width"/> window whose top-left corner is at
    /// (<paramref name="top"/>, <paramref name="left"/>) in <paramref name="source"/>; parts outside the image are zeros.
    /// </summary>
    internal static void Copy(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, int top, int left, int height, int width)
    {
        int firstX = Math.Clamp(-left, 0, width);
        int endX = Math.Clamp(shape.Width - left, firstX, width);
        for (int c = 0; c < shape.Channels; c++)
        {
            var plane = source.Slice(c * shape.Height * shape.Width, shape.Height * shape.Width);
            for (int y = 0; y < height; y++)
            {
                var row = destination.Slice((c * height + y) * width, width);
                int sourceY = top + y;
                if (sourceY < 0 || sourceY >= shape.Height || firstX == endX)
                {
                    row.Clear();
                    continue;
                }
                row[..firstX].Clear();
                plane.Slice(sourceY * shape.Width + left + firstX, endX - firstX).CopyTo(row[firstX..endX]);
                row[endX..].Clear();
            }
        }
    }

    internal static RandomCrop LoadParameters(BinaryReader reader) => new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write(Height);
        writer.Write(Width);
        writer.Write(Padding);
    }
}
