namespace MLNetCnn.Estimators;

/// <summary>How many threads decode image files, where an option leaves it to the library (0).</summary>
public static class DecodeWorkers
{
    /// <summary>The most workers the automatic choice takes: decoding a 224 px JPEG is about a millisecond, and more threads than this
    /// mostly wait on the disk and the writer.</summary>
    public const int MaxAutomatic = 4;

    /// <summary><paramref name="requested"/> when positive; for 0, one per core, at most <see cref="MaxAutomatic"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="requested"/> is negative.</exception>
    public static int Resolve(int requested)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requested, "DecodeWorkers");
        return requested > 0 ? requested : Math.Clamp(Environment.ProcessorCount, 1, MaxAutomatic);
    }
}
