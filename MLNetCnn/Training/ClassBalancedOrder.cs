using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Training;

/// <summary>
/// The rows of a class-balanced epoch (<see cref="TrainingOptions.ClassBalancedSampling"/>): each position draws a class
/// uniformly among those present, then a row of that class uniformly, with replacement, as PyTorch's
/// <c>WeightedRandomSampler</c> with weights <c>1 / n_class</c>. An epoch keeps its number of rows, so small classes are
/// seen several times over and large ones in part. Position p of epoch e always draws the same row, so an epoch can
/// resume at any step. Holds the rows sorted by class (8 bytes per row).
/// </summary>
internal sealed class ClassBalancedOrder
{
    private readonly long[] _rowsByClass;
    private readonly long[] _start;
    private readonly long[] _count;
    private readonly int[] _present;
    private readonly int _seed;

    public ClassBalancedOrder(IEpochData data, int seed)
    {
        _count = data.CountClasses();
        _start = new long[_count.Length];
        for (int c = 1; c < _count.Length; c++)
            _start[c] = _start[c - 1] + _count[c - 1];
        _rowsByClass = new long[data.Count];
        var next = (long[])_start.Clone();
        for (long row = 0; row < data.Count; row++)
            _rowsByClass[next[data.Label(row)]++] = row;
        _present = [.. Enumerable.Range(0, _count.Length).Where(c => _count[c] > 0)];
        _seed = seed;
    }

    /// <summary>The row at <paramref name="position"/> of epoch <paramref name="epoch"/>.</summary>
    public long RowAt(int epoch, long position)
    {
        var random = AugmentationRandom.ForRow(_seed, epoch, position);
        int c = _present[random.Between(0, _present.Length - 1)];
        long within = (long)(random.NextDouble() * _count[c]);
        return _rowsByClass[_start[c] + Math.Min(within, _count[c] - 1)];
    }
}
