using System.Runtime.InteropServices;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Runtime;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>One random image operation of a training pipeline and the seed of its draws.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Seed">The seed of its draws: row r of epoch e always gets the same ones.</param>
public sealed record SeededImageOperation(ImageOperation Operation, int Seed);

/// <summary>
/// Rows of a record file passed through image operations (random augmentation, and what follows it) as they are read:
/// the draws of row r in epoch e come from each operation's seed, e and r, so every epoch draws afresh, in any order,
/// repeatably. Epoch 0 (evaluation) gets draws of its own that never change.
/// </summary>
public sealed class AugmentedEpochData : IEpochData, IDisposable
{
    private readonly ImageRecordFile _source;
    private readonly IReadOnlyList<SeededImageOperation> _operations;
    private readonly ImageShape[] _shapes;
    private readonly float[] _first;
    private readonly float[] _second;
    private Tensor? _staging;

    /// <summary>Applies <paramref name="operations"/>, in order, to the images of <paramref name="source"/>.</summary>
    public AugmentedEpochData(ImageRecordFile source, IReadOnlyList<SeededImageOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(operations);
        _source = source;
        _operations = operations;
        _shapes = new ImageShape[operations.Count + 1];
        _shapes[0] = source.Shape;
        for (int i = 0; i < operations.Count; i++)
            _shapes[i + 1] = operations[i].Operation.OutputShape(_shapes[i]);
        int largest = _shapes.Max(s => s.Size);
        _first = new float[largest];
        _second = new float[largest];
    }

    /// <inheritdoc/>
    public ImageShape Shape => _shapes[^1];

    /// <inheritdoc/>
    public int ClassCount => _source.ClassCount;

    /// <inheritdoc/>
    public long Count => _source.Count;

    /// <inheritdoc/>
    public int Label(long row) => _source.Label(row);

    /// <summary>The per-channel statistics of every row as epoch <paramref name="epoch"/> sees them (one pass over the file).</summary>
    public PixelStatistics Statistics(int epoch)
    {
        var statistics = new PixelStatistics(Shape.Channels);
        for (long row = 0; row < Count; row++)
            statistics.Add(Augment(epoch, row), Shape);
        return statistics;
    }

    /// <inheritdoc/>
    public (Tensor Images, Tensor Labels) ReadBatch(int epoch, ReadOnlySpan<long> rows)
    {
        if (_staging is null || _staging.shape[0] < rows.Length)
        {
            _staging?.Dispose();
            _staging = empty([rows.Length, Shape.Channels, Shape.Height, Shape.Width], ScalarType.Float32).DetachFromDisposeScope();
        }
        var images = MemoryMarshal.Cast<byte, float>(_staging.bytes);
        var labels = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            Augment(epoch, rows[i]).CopyTo(images.Slice(i * Shape.Size, Shape.Size));
            labels[i] = _source.Label(rows[i]);
        }
        using var batch = _staging.narrow(0, 0, rows.Length);
        return (batch.clone(), tensor(labels));
    }

    /// <summary>Frees the staging buffer (the record file belongs to the caller).</summary>
    public void Dispose() => _staging?.Dispose();

    private ReadOnlySpan<float> Augment(int epoch, long row)
    {
        var (source, destination) = (_first, _second);
        _source.ReadImage(row, source.AsSpan(0, _shapes[0].Size));
        for (int i = 0; i < _operations.Count; i++)
        {
            var random = AugmentationRandom.ForRow(_operations[i].Seed, epoch, row);
            _operations[i].Operation.Apply(source.AsSpan(0, _shapes[i].Size), _shapes[i], destination.AsSpan(0, _shapes[i + 1].Size), ref random);
            (source, destination) = (destination, source);
        }
        return source.AsSpan(0, Shape.Size);
    }
}
