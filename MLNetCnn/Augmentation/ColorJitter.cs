using System.Numerics;
using System.Runtime.InteropServices;
using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Augmentation;

/// <summary>
/// Random changes of brightness, contrast and saturation, applied in a random order as torchvision's
/// <c>ColorJitter</c> does. Each factor is uniform in [max(0, 1 - amount), 1 + amount]: brightness scales every
/// value, contrast blends with the image's mean grey level, saturation blends each pixel with its grey value
/// (luma 0.299 R + 0.587 G + 0.114 B; saturation needs three channels and leaves other images as they are).
/// Values are not clamped: images written back to 8 bits clamp to 0..255.
/// </summary>
public sealed class ColorJitter : ImageOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="brightness">How far the brightness factor strays from 1.</param>
    /// <param name="contrast">How far the contrast factor strays from 1.</param>
    /// <param name="saturation">How far the saturation factor strays from 1.</param>
    public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0)
    {
        CheckValue(brightness, 0, double.PositiveInfinity, "Brightness", nameof(ColorJitter));
        CheckValue(contrast, 0, double.PositiveInfinity, "Contrast", nameof(ColorJitter));
        CheckValue(saturation, 0, double.PositiveInfinity, "Saturation", nameof(ColorJitter));
        Brightness = brightness;
        Contrast = contrast;
        Saturation = saturation;
    }

    /// <summary>How far the brightness factor strays from 1.</summary>
    public double Brightness { get; }

    /// <summary>How far the contrast factor strays from 1.</summary>
    public double Contrast { get; }

    /// <summary>How far the saturation factor strays from 1.</summary>
    public double Saturation { get; }

    /// <inheritdoc/>
    public override bool IsRandom => true;

    /// <inheritdoc/>
    public override ImageShape OutputShape(ImageShape input) => input;

    private protected override void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random)
    {
        source.CopyTo(destination);
        float brightness = Factor(Brightness, ref random), contrast = Factor(Contrast, ref random), saturation = Factor(Saturation, ref random);
        // The order of the three adjustments: one of the six permutations of (0, 1, 2).
        int order = random.Between(0, 5);
        Span<int> steps = [0, 1, 2];
        (steps[0], steps[order % 3]) = (steps[order % 3], steps[0]);
        if (order >= 3)
            (steps[1], steps[2]) = (steps[2], steps[1]);
        foreach (int step in steps)
        {
            switch (step)
            {
                case 0 when brightness != 1:
                    ScaleAndShift(destination, brightness, 0);
                    break;
                case 1 when contrast != 1:
                    ScaleAndShift(destination, contrast, (1 - contrast) * MeanGrey(destination, shape));
                    break;
                case 2 when saturation != 1 && shape.Channels == 3:
                    Saturate(destination, shape.Height * shape.Width, saturation);
                    break;
            }
        }
    }

    private static float Factor(double amount, ref AugmentationRandom random) =>
        amount == 0 ? 1 : (float)random.Uniform(Math.Max(0, 1 - amount), 1 + amount);

    private static float MeanGrey(ReadOnlySpan<float> image, ImageShape shape)
    {
        int plane = shape.Height * shape.Width;
        if (shape.Channels != 3)
            return Sum(image) / image.Length;
        return (0.299f * Sum(image[..plane]) + 0.587f * Sum(image.Slice(plane, plane)) + 0.114f * Sum(image[(2 * plane)..])) / plane;
    }

    private static float Sum(ReadOnlySpan<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var total = Vector<float>.Zero;
        foreach (var vector in vectors)
            total += vector;
        float sum = Vector.Sum(total);
        for (int i = vectors.Length * Vector<float>.Count; i < values.Length; i++)
            sum += values[i];
        return sum;
    }

    private static void ScaleAndShift(Span<float> values, float scale, float shift)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        for (int i = 0; i < vectors.Length; i++)
            vectors[i] = vectors[i] * scale + new Vector<float>(shift);
        for (int i = vectors.Length * Vector<float>.Count; i < values.Length; i++)
            values[i] = values[i] * scale + shift;
    }

    private static void Saturate(Span<float> image, int plane, float factor)
    {
        var red = image[..plane];
        var green = image.Slice(plane, plane);
        var blue = image[(2 * plane)..];
        var r = MemoryMarshal.Cast<float, Vector<float>>(red);
        var g = MemoryMarshal.Cast<float, Vector<float>>(green);
        var b = MemoryMarshal.Cast<float, Vector<float>>(blue);
        for (int i = 0; i < r.Length; i++)
        {
            var grey = r[i] * 0.299f + g[i] * 0.587f + b[i] * 0.114f;
            r[i] = grey + (r[i] - grey) * factor;
            g[i] = grey + (g[i] - grey) * factor;
            b[i] = grey + (b[i] - grey) * factor;
        }
        for (int i = r.Length * Vector<float>.Count; i < plane; i++)
        {
            float grey = 0.299f * red[i] + 0.587f * green[i] + 0.114f * blue[i];
            red[i] = grey + factor * (red[i] - grey);
            green[i] = grey + factor * (green[i] - grey);
            blue[i] = grey + factor * (blue[i] - grey);
        }
    }

    internal static ColorJitter LoadParameters(BinaryReader reader) => new(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write(Brightness);
        writer.Write(Contrast);
        writer.Write(Saturation);
    }
}
