using System.Diagnostics;

namespace MLNetCnn.Runtime;

/// <summary>
/// Hands freed native memory back to the kernel (<see cref="NativeMemoryTuning.ReleaseFreedMemory"/>) at points where a
/// training loop has freed a step's memory, at most once per interval, so that the resident set of a long run does not
/// creep up with the heap's fragmentation.
/// </summary>
/// <remarks>
/// A release acts on the whole process and costs the page faults of the next step touching the memory again, so training
/// shares one interval across the process (<see cref="ForTraining"/>): sessions run one after another or side by side,
/// and short epochs, do not each pay a release of their own.
/// </remarks>
internal sealed class PeriodicMemoryRelease
{
    private static readonly Lazy<PeriodicMemoryRelease> Training = new(() =>
    {
        var watch = Stopwatch.StartNew();
        return new PeriodicMemoryRelease(NativeMemoryTuning.ReleaseInterval, () => watch.Elapsed, NativeMemoryTuning.ReleaseFreedMemory);
    });

    private readonly TimeSpan _interval;
    private readonly Func<TimeSpan> _clock;
    private readonly Func<bool> _release;
    private readonly Lock _gate = new();
    private TimeSpan _last;
    private int _releases;

    /// <param name="interval">The least time between two releases.</param>
    /// <param name="clock">The time since some fixed start.</param>
    /// <param name="release">Releases the memory; false where it cannot.</param>
    public PeriodicMemoryRelease(TimeSpan interval, Func<TimeSpan> clock, Func<bool> release)
    {
        _interval = interval;
        _clock = clock;
        _release = release;
        _last = clock();
    }

    /// <summary>
    /// The process's release for training: at most once every <see cref="NativeMemoryTuning.ReleaseInterval"/> of wall-clock time.
    /// </summary>
    public static PeriodicMemoryRelease ForTraining => Training.Value;

    /// <summary>How many times memory was released.</summary>
    public int Releases => Volatile.Read(ref _releases);

    /// <summary>After a step's memory is freed: releases it if the interval has passed since the last release.</summary>
    public void AfterStep()
    {
        lock (_gate)
        {
            var now = _clock();
            if (now - _last < _interval)
                return;
            _last = now;
        }
        if (_release())
            Interlocked.Increment(ref _releases);
    }
}
