using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Data;

/// <summary>
/// Labelled images held in memory, pixel values in CHW order, one image after another.
/// Values are taken as given (for example 0..255); the trainer standardises them.
/// </summary>
public sealed class ImageDataset : IEpochData
{
    /// <summary>Creates a data set and checks that pixels, labels and shape agree.</summary>
    /// <param name="shape">The geometry of every image.</param>
    /// <param name="pixels"><c>Count * shape.Size</c> values.</param>
    /// <param name="labels">Class index of each image, in <c>[0, classCount)</c>.</param>
    /// <param name="classCount">Number of classes.</param>
    public ImageDataset(ImageShape shape, float[] pixels, int[] labels, int classCount)
    {
        shape.Validate("data set");
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if ((long)labels.Length * shape.Size != pixels.LongLength)
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * shape.Size} pixel values for images of shape {shape}, but {pixels.LongLength} were given.");
        if (classCount < 1)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "The number of classes must be positive.");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Label {labels[i]} of image {i} is outside [0, {classCount}).", nameof(labels));
        }
        Shape = shape;
        Pixels = pixels;
        Labels = labels;
        ClassCount = classCount;
    }

    /// <summary>The geometry of every image.</summary>
    public ImageShape Shape { get; }

    /// <summary>All pixel values, image after image, each in CHW order.</summary>
    public float[] Pixels { get; }

    /// <summary>The class index of each image.</summary>
    public int[] Labels { get; }

    /// <summary>Number of classes the labels are drawn from.</summary>
    public int ClassCount { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    long IEpochData.Count => Count;

    /// <summary>The pixel values of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * Shape.Size, Shape.Size);

    /// <inheritdoc/>
    public int Label(long row) => Labels[checked((int)row)];

    /// <summary>A new data set of the images at <paramref name="indices"/>, in that order.</summary>
    public ImageDataset Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var pixels = new float[(long)indices.Count * Shape.Size];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(pixels.AsSpan(i * Shape.Size, Shape.Size));
            labels[i] = Labels[indices[i]];
        }
        return new ImageDataset(Shape, pixels, labels, ClassCount);
    }

    /// <inheritdoc/>
    public (Tensor Images, Tensor Labels) ReadBatch(int epoch, ReadOnlySpan<long> rows)
    {
        var pixels = new float[rows.Length * Shape.Size];
        var labels = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = checked((int)rows[i]);
            Image(row).CopyTo(pixels.AsSpan(i * Shape.Size, Shape.Size));
            labels[i] = Labels[row];
        }
        return (tensor(pixels, [rows.Length, Shape.Channels, Shape.Height, Shape.Width]), tensor(labels));
    }
}
