using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Augmentation;

/// <summary>Mirrors an image horizontally or vertically with a given probability, and copies it unchanged otherwise.</summary>
public sealed class RandomFlip : ImageOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="axis">Which way to mirror.</param>
    /// <param name="probability">The chance that an image is mirrored.</param>
    public RandomFlip(FlipAxis axis, double probability = 0.5)
    {
        if (!Enum.IsDefined(axis))
            throw new ArgumentOutOfRangeException(nameof(axis), axis, "RandomFlip: unknown axis.");
        CheckValue(probability, 0, 1, "Probability", nameof(RandomFlip));
        Axis = axis;
        Probability = probability;
    }

    /// <summary>Which way images are mirrored.</summary>
    public FlipAxis Axis { get; }

    /// <summary>The chance that an image is mirrored.</summary>
    public double Probability { get; }

    /// <inheritdoc/>
    public override bool IsRandom => true;

    /// <inheritdoc/>
    public override ImageShape OutputShape(ImageShape input) => input;

    /// <summary>Writes the mirror image of <paramref name="source"/> about <paramref name="axis"/> into <paramref
    /// name="destination"/>.</summary>
    internal static void Mirror(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, FlipAxis axis)
    {
        int width = shape.Width;
        for (int c = 0; c < shape.Channels; c++)
        {
            for (int y = 0; y < shape.Height; y++)
            {
                int sourceY = axis == FlipAxis.Vertical ? shape.Height - 1 - y : y;
                var from = source.Slice((c * shape.Height + sourceY) * width, width);
                var to = destination.Slice((c * shape.Height + y) * width, width);
                from.CopyTo(to);
                if (axis == FlipAxis.Horizontal)
                    to.Reverse();
            }
        }
    }

    private protected override void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random)
    {
        if (random.Chance(Probability))
            Mirror(source, shape, destination, Axis);
        else
            source.CopyTo(destination);
    }

    internal static RandomFlip LoadParameters(BinaryReader reader) => new((FlipAxis)reader.ReadInt32(), reader.ReadDouble());

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write((int)Axis);
        writer.Write(Probability);
    }
}
