using System.Diagnostics;

namespace MLNetCnn.Runtime;

/// <summary>
/// Hands freed native memory back to the kernel (<see cref="NativeMemoryTuning.ReleaseFreedMemory"/>) at points where a
/// training loop has freed a step's memory, so that the resident set of a long run does not creep up with the heap's
/// fragmentation: between steps when, at a check once per interval, the resident set has grown more than an allowance
/// above the lowest level of any check, and at every epoch's end. A release costs the page faults of touching the step's
/// memory again (measured: 10 ms a step on ResNet-20 with a release every 10 s), so a run whose memory stays level pays
/// it once an epoch only.
/// </summary>
internal sealed class PeriodicMemoryRelease
{
    private readonly TimeSpan _interval;
    private readonly double _allowedGrowth;
    private readonly Func<TimeSpan> _clock;
    private readonly Func<long> _residentBytes;
    private readonly Func<bool> _release;
    private TimeSpan _last;
    private long _lowest = long.MaxValue;

    /// <param name="interval">The least time between two checks of the resident set at step boundaries.</param>
    /// <param name="allowedGrowth">How far (a fraction) the resident set may rise above its lowest checked level before a release.</param>
    /// <param name="clock">The time since some fixed start.</param>
    /// <param name="residentBytes">The process's resident set.</param>
    /// <param name="release">Releases the memory; false where it cannot.</param>
    public PeriodicMemoryRelease(
        TimeSpan interval, double allowedGrowth, Func<TimeSpan> clock, Func<long> residentBytes, Func<bool> release)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(allowedGrowth);
        _interval = interval;
        _allowedGrowth = allowedGrowth;
        _clock = clock;
        _residentBytes = residentBytes;
        _release = release;
        _last = clock();
    }

    /// <summary>
    /// Checks once every <see cref="NativeMemoryTuning.ReleaseInterval"/> of wall-clock time, allowing
    /// <see cref="NativeMemoryTuning.AllowedResidentGrowth"/>.
    /// </summary>
    public static PeriodicMemoryRelease ForTraining()
    {
        var watch = Stopwatch.StartNew();
        return new PeriodicMemoryRelease(NativeMemoryTuning.ReleaseInterval, NativeMemoryTuning.AllowedResidentGrowth, () => watch.Elapsed,
            () => Environment.WorkingSet, NativeMemoryTuning.ReleaseFreedMemory);
    }

    /// <summary>How many times memory was released.</summary>
    public int Releases { get; private set; }

    /// <summary>After a step's memory is freed: releases it if the interval has passed and the resident set has grown.</summary>
    public void AfterStep()
    {
        if (_clock() - _last < _interval)
            return;
        _last = _clock();
        long resident = _residentBytes();
        _lowest = Math.Min(_lowest, resident);
        if (resident > _lowest * (1 + _allowedGrowth))
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
