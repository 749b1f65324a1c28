namespace MLNetCnn.Data;

/// <summary>
/// A stratified hold-out decided row by row as the rows stream past, in constant memory per class: about
/// <c>fraction</c> of each class is held out (never all of it), the rows chosen at random with the seed. A row is
/// held out when a keyed permutation of its class's ranks (<see cref="ShuffledOrder"/>) puts its rank among the
/// first <c>round(count * fraction)</c>; it needs the class counts up front, and each row's rank within its class.
/// </summary>
public sealed class StratifiedHoldout
{
    private readonly ShuffledOrder[] _orders;
    private readonly long[] _taken;
    private readonly long[] _ranks;

    /// <summary>Holds out about <paramref name="fraction"/> of each class of <paramref name="classCounts"/> rows.</summary>
    public StratifiedHoldout(IReadOnlyList<long> classCounts, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(classCounts);
        if (fraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The hold-out fraction must be in (0, 1).");
        _orders = [.. classCounts.Select((count, c) => new ShuffledOrder(count, seed, stream: c))];
        _taken = [.. classCounts.Select(count => Math.Max(0, Math.Min((long)Math.Round(count * fraction), count - 1)))];
        _ranks = new long[classCounts.Count];
    }

    /// <summary>The number of rows held out in all.</summary>
    public long HeldOutCount => _taken.Sum();

    /// <summary>Whether the next row of class <paramref name="label"/> (in the order the rows were counted) is held out.</summary>
    public bool HoldsOutNext(int label)
    {
        long rank = _ranks[label]++;
        if (rank >= _orders[label].Count)
            throw new InvalidOperationException($"The data has more rows of class {label} than the {_orders[label].Count} it had when its classes were counted: it must give the same rows on every pass.");
        return _orders[label][rank] < _taken[label];
    }
}
