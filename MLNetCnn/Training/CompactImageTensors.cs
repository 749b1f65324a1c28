using MLNetCnn.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// A data set's images and labels held as tensors, the images as bytes when every value is a whole number in
/// 0..255 (a quarter of the memory of floats) and as floats otherwise. Batches come out as float32.
/// </summary>
internal sealed class CompactImageTensors : IDisposable
{
    private readonly Tensor _images;
    private readonly Tensor _labels;

    private CompactImageTensors(Tensor images, Tensor labels)
    {
        _images = images;
        _labels = labels;
    }

    /// <summary>The number of images.</summary>
    public long Count => _labels.shape[0];

    /// <summary>The element type the images are held in: <see cref="ScalarType.Byte"/> or <see cref="ScalarType.Float32"/>.</summary>
    public ScalarType StorageType => _images.dtype;

    /// <summary>Converts a data set; throws when it holds no images.</summary>
    public static CompactImageTensors From(ImageDataset data)
    {
        if (data.Count == 0)
            throw new ArgumentException("The training data holds no images.");
        long[] shape = [data.Count, data.Shape.Channels, data.Shape.Height, data.Shape.Width];
        var images = AreBytes(data.Pixels)
            ? tensor(Array.ConvertAll(data.Pixels, value => (byte)value), shape)
            : tensor(data.Pixels, shape);
        var labels = tensor(Array.ConvertAll(data.Labels, label => (long)label));
        return new CompactImageTensors(images.DetachFromDisposeScope(), labels.DetachFromDisposeScope());
    }

    /// <summary>The float32 images and int64 labels at <paramref name="indices"/>, in the current dispose scope.</summary>
    public (Tensor Images, Tensor Labels) Batch(Tensor indices)
    {
        var images = _images.index_select(0, indices);
        if (images.dtype != ScalarType.Float32)
        {
            using var bytes = images;
            images = bytes.to(ScalarType.Float32);
        }
        return (images, _labels.index_select(0, indices));
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
    }

    private static bool AreBytes(float[] values)
    {
        foreach (float value in values)
        {
            if (value is < 0 or > 255 || value != MathF.Floor(value))
                return false;
        }
        return true;
    }
}
