using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

/// <summary>A data set that records which rows the trainer read in each epoch, in the order it read them.</summary>
internal sealed class RecordingEpochData(ImageDataset inner) : IEpochData
{
    /// <summary>The rows read in each epoch.</summary>
    public Dictionary<int, List<long>> Rows { get; } = [];

    public ImageShape Shape => inner.Shape;

    public int ClassCount => inner.ClassCount;

    public long Count => inner.Count;

    public (Tensor Images, Tensor Labels) ReadBatch(int epoch, ReadOnlySpan<long> rows)
    {
        if (!Rows.TryGetValue(epoch, out var read))
            Rows[epoch] = read = [];
        read.AddRange(rows.ToArray());
        return inner.ReadBatch(epoch, rows);
    }

    public int Label(long row) => inner.Label(row);
}
