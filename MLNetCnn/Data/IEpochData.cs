using MLNetCnn.Data;
using static TorchSharp.torch;

namespace MLNetCnn.Data;

/// <summary>
/// Random access to the labelled images a network trains or is evaluated on: rows <c>0..Count-1</c>, read a batch at a
/// time in any order (the trainer draws a fresh permutation every epoch). An in-memory <see cref="ImageDataset"/>, a
/// memory-mapped <see cref="ImageRecordFile"/>, or one with random augmentation (<see cref="Training.AugmentedEpochData"/>)
/// whose draws differ every epoch. Batches are read by one thread at a time.
/// </summary>
public interface IEpochData
{
    /// <summary>The shape of every image.</summary>
    ImageShape Shape { get; }

    /// <summary>The number of classes the labels are drawn from.</summary>
    int ClassCount { get; }

    /// <summary>The number of rows; every epoch has them all.</summary>
    long Count { get; }

    /// <summary>
    /// The images (float32, N x C x H x W) and labels (int64) of <paramref name="rows"/> as seen in epoch
    /// <paramref name="epoch"/> (from 1; 0 for evaluation, which is never augmented afresh), in the current dispose scope.
    /// </summary>
    (Tensor Images, Tensor Labels) ReadBatch(int epoch, ReadOnlySpan<long> rows);

    /// <summary>
    /// The class of row <paramref name="row"/>, for class counts and class-balanced sampling. The default reads the row's
    /// batch; the library's sources read the label alone.
    /// </summary>
    int Label(long row)
    {
        using var scope = NewDisposeScope();
        return (int)ReadBatch(epoch: 0, [row]).Labels.item<long>();
    }

    /// <summary>The number of rows of each class (one pass over the labels).</summary>
    long[] CountClasses()
    {
        var counts = new long[ClassCount];
        for (long row = 0; row < Count; row++)
            counts[Label(row)]++;
        return counts;
    }
}
