namespace MLNetCnn.Runtime;

/// <summary>
/// The random draws of one image's augmentation: a SplitMix64 stream (Steele, Lea and Flood, 2014) that lives
/// on the stack, so every row gets its own generator without allocating, and whose seed is derived from the
/// stage's seed, the pass over the data and the row's position. The same three numbers always give the same
/// draws, whichever rows a reader skips and in whatever order cursors are opened.
/// </summary>
public struct AugmentationRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    /// <summary>A stream starting from <paramref name="seed"/>.</summary>
    public AugmentationRandom(ulong seed) => _state = seed;

    /// <summary>The stream for row <paramref name="position"/> of pass <paramref name="pass"/> over the data of a stage seeded with
    /// <paramref name="seed"/>.</summary>
    public static AugmentationRandom ForRow(int seed, long pass, long position) =>
        new(Scramble(Scramble(Scramble((uint)seed + Golden) ^ (ulong)pass) ^ (ulong)position));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => Scramble(_state += Golden);

    /// <summary>A double uniformly distributed in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A double uniformly distributed in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>An integer uniformly distributed in [<paramref name="min"/>, <paramref name="max"/>], both included.</summary>
    public int Between(int min, int max)
    {
        ulong span = (ulong)((long)max - min + 1);
        return (int)(min + (long)((NextUInt64() >> 32) * span >> 32));
    }

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public double Gaussian()
    {
        double u = 1.0 - NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * NextDouble());
    }

    private static ulong Scramble(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
