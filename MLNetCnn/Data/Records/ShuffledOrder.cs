using MLNetCnn.Runtime;

namespace MLNetCnn.Data;

/// <summary>
/// A random permutation of <c>[0, count)</c> in constant memory: a keyed Feistel network is a bijection on
/// <c>[0, 2^k)</c>, and cycle-walking (applying it again to values of <c>count</c> or more) restricts it to the
/// rows. Position <c>i</c> maps to its row in constant time, so an epoch can start at any step. The same key always
/// gives the same order; every key gives another one.
/// </summary>
public readonly struct ShuffledOrder
{
    private const int Rounds = 6;
    private readonly ulong _key;
    private readonly int _halfBits;
    private readonly ulong _halfMask;

    /// <summary>The order of <paramref name="count"/> rows drawn from <paramref name="seed"/> and <paramref name="stream"/> (for example
    /// the epoch).</summary>
    public ShuffledOrder(long count, long seed, long stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
        int bits = 2;
        while (bits < 62 && 1L << bits < count)
            bits++;
        _halfBits = (bits + 1) / 2;
        _halfMask = (1UL << _halfBits) - 1;
        _key = new AugmentationRandom(new AugmentationRandom((ulong)seed).NextUInt64() ^ (ulong)stream).NextUInt64();
    }

    /// <summary>The number of rows permuted.</summary>
    public long Count { get; }

    /// <summary>The row at <paramref name="position"/> of the order.</summary>
    public long this[long position]
    {
        get
        {
            if ((ulong)position >= (ulong)Count)
                throw new ArgumentOutOfRangeException(nameof(position), position, $"The order has {Count} positions.");
            ulong value = (ulong)position;
            do
                value = Encrypt(value);
            while (value >= (ulong)Count);
            return (long)value;
        }
    }

    private ulong Encrypt(ulong value)
    {
        ulong left = value >> _halfBits, right = value & _halfMask;
        for (int round = 0; round < Rounds; round++)
        {
            ulong mixed = new AugmentationRandom((_key + (ulong)round * 0xD1B54A32D192ED03UL) ^ right).NextUInt64() & _halfMask;
            (left, right) = (right, left ^ mixed);
        }
        return left << _halfBits | right;
    }
}
