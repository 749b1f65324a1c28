using System.Diagnostics;

namespace MLNetCnn.Runtime;

/// <summary>
/// Hands freed native memory back to the kernel (<see cref="NativeMemoryTuning.ReleaseFreedMemory"/>) at points where a
/// training loop has freed a step's memory, at most once per interval, so that the resident set of a long run does not
/// creep up with the heap's fragmentation.
/// </summary>
internal sealed class PeriodicMemoryRelease
{
    private readonly TimeSpan _interval;
    private readonly Func<TimeSpan> _clock;
    private readonly Func<bool> _release;
    private TimeSpan _last;

    /// <param name="interval">The least time between two releases at step boundaries.</param>
    /// <param name="clock">The time since some fixed start.</param>
    /// <param name="release">Releases the memory; false where it cannot.</param>
    public PeriodicMemoryRelease(TimeSpan interval, Func<TimeSpan> clock, Func<bool> release)
    {
        _interval = interval;
        _clock = clock;
        _release = release;
        _last = clock();
    }

    /// <summary>Releases once every <see cref="NativeMemoryTuning.ReleaseInterval"/> of wall-clock time.</summary>
    public static PeriodicMemoryRelease ForTraining()
    {
        var watch = Stopwatch.StartNew();
        return new PeriodicMemoryRelease(NativeMemoryTuning.ReleaseInterval, () => watch.Elapsed, NativeMemoryTuning.ReleaseFreedMemory);
    }

    /// <summary>How many times memory was released.</summary>
    public int Releases { get; private set; }

    /// <summary>After a step's memory is freed: releases it if the interval has passed since the last release.</summary>
    public void AfterStep()
    {
        if (_clock() - _last >= _interval)
            ReleaseNow();
    }

    /// <summary>Releases now (at the end of an epoch, before validation allocates its own buffers).</summary>
    public void ReleaseNow()
    {
        if (_release())
            Releases++;
        _last = _clock();
    }
}
