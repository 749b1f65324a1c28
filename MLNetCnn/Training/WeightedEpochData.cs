using MLNetCnn.Data;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// The rows of another <see cref="IEpochData"/> with a weight each, ML.NET's example weights: a row's cross-entropy counts
/// in its batch's loss in proportion to its weight (times its class's weight, with <see cref="TrainingOptions.ClassWeights"/>),
/// the batch loss being the weighted mean. Holds one float per row.
/// </summary>
public sealed class WeightedEpochData : IEpochData
{
    private readonly float[] _weights;

    /// <summary>Gives row r of <paramref name="data"/> the weight <c>weights[r]</c>.</summary>
    /// <exception cref="ArgumentException">The weights are not one per row, or one is negative or not finite.</exception>
    public WeightedEpochData(IEpochData data, float[] weights)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.LongLength != data.Count)
            throw new ArgumentException($"{weights.LongLength} example weights were given for {data.Count} rows; give one per row.", nameof(weights));
        for (long row = 0; row < weights.LongLength; row++)
        {
            if (!float.IsFinite(weights[row]) || weights[row] < 0)
                throw new ArgumentException($"Row {row} has example weight {weights[row]}; weights must be zero or positive numbers.", nameof(weights));
        }
        Data = data;
        _weights = weights;
    }

    /// <summary>The rows without their weights.</summary>
    public IEpochData Data { get; }

    /// <summary>The weight of each row.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <inheritdoc/>
    public ImageShape Shape => Data.Shape;

    /// <inheritdoc/>
    public int ClassCount => Data.ClassCount;

    /// <inheritdoc/>
    public long Count => Data.Count;

    /// <inheritdoc/>
    public (Tensor Images, Tensor Labels) ReadBatch(int epoch, ReadOnlySpan<long> rows) => Data.ReadBatch(epoch, rows);

    /// <inheritdoc/>
    public int Label(long row) => Data.Label(row);

    /// <inheritdoc/>
    public long[] CountClasses() => Data.CountClasses();

    /// <summary>The weights of <paramref name="rows"/> (float32), in the current dispose scope.</summary>
    public Tensor ReadWeights(ReadOnlySpan<long> rows)
    {
        var weights = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
            weights[i] = _weights[rows[i]];
        return tensor(weights);
    }
}
