using MLNetCnn.Data;

namespace MLNetCnn.Training;

/// <summary>
/// The training images of each epoch. A fixed data set (an <see cref="ImageDataset"/>) gives the same images
/// every epoch and is cached once; a source with random augmentation gives fresh draws every epoch.
/// </summary>
public interface IEpochData
{
    /// <summary>The shape of every image.</summary>
    ImageShape Shape { get; }

    /// <summary>The number of classes the labels are drawn from.</summary>
    int ClassCount { get; }

    /// <summary>Whether every epoch sees the same images, so they can be prepared once.</summary>
    bool IsFixed { get; }

    /// <summary>The images of epoch <paramref name="epoch"/> (from 1).</summary>
    ImageDataset ForEpoch(int epoch);
}
