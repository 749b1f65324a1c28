using System.Runtime.InteropServices;

namespace MLNetCnn.Runtime;

/// <summary>What <see cref="NativeMemoryTuning.KeepFreedMemory"/> did.</summary>
public enum NativeMemoryTuningResult
{
    /// <summary>glibc's malloc now keeps freed memory for reuse.</summary>
    Applied,

    /// <summary>Nothing changed: <c>GLIBC_TUNABLES</c> already sets malloc's thresholds, and the environment's choice stands.</summary>
    LeftToEnvironment,

    /// <summary>Nothing changed: the process does not run on glibc (Windows, macOS, musl-based Linux).</summary>
    NotGlibc,
}

/// <summary>
/// Makes glibc's malloc keep the memory TorchSharp frees, instead of handing it back to the kernel and faulting it in
/// again on the next training step.
/// </summary>
/// <remarks>
/// <para>
/// With glibc's defaults, an allocation above the mmap threshold (128 KiB, raised on the fly up to 32 MiB as such
/// blocks are freed) gets fresh pages from the kernel, and free memory at the top of the heap beyond the trim threshold
/// (twice the mmap threshold) is returned at once. A TorchSharp training step frees most of its memory together at
/// the end of its dispose scope: activations, gradients and, in TorchSharp's Adam, two temporaries the size of every
/// parameter. The heap top is trimmed after every step and every page is faulted in again in the next, which costs
/// kernel time (see BENCHMARKS.md for the measurements). Python frees each tensor as soon as its last reference goes,
/// so PyTorch reuses memory within a step and the heap seldom has that much free at its top.
/// </para>
/// <para>
/// <see cref="KeepFreedMemory"/> sets the thresholds that
/// <c>GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456</c>
/// would set, from inside the process (<c>mallopt</c>): blocks up to 32 MiB come from the heap, and up to 256 MiB of
/// free heap stays mapped. The cost is resident memory: the process keeps up to that much more than it uses. The
/// setting is process-wide and affects every native allocation, so a library does not make it on its own:
/// applications opt in (the <c>mlnetcnn</c> command line does, at start-up).
/// </para>
/// <para>
/// Kept memory is also where a long run's resident set grows: libtorch's buffers of tens of megabytes land in new places
/// of a fragmented heap while the free ones around them stay resident. <see cref="ReleaseFreedMemory"/> hands every
/// arena's free pages back to the kernel (<c>malloc_trim</c>), and training calls it between steps once every
/// <see cref="ReleaseInterval"/> and at the end of each epoch, so the resident set stays near what the steps use
/// (BENCHMARKS.md, Scale: a peak of 2.56 GB -> 1.76 GB on 30,000 images at 224 px, its cost within the runs' noise).
/// </para>
/// </remarks>
public static class NativeMemoryTuning
{
    /// <summary>Allocations below this many bytes come from the heap (glibc's largest allowed value on 64-bit systems).</summary>
    public const int MmapThreshold = 32 * 1024 * 1024;

    /// <summary>Free memory at the top of the heap is returned to the kernel only beyond this many bytes.</summary>
    public const int TrimThreshold = 256 * 1024 * 1024;

    /// <summary>Training hands freed memory back to the kernel between steps at most this often (and after every epoch).</summary>
    public static readonly TimeSpan ReleaseInterval = TimeSpan.FromSeconds(10);

    private const int MallocTrimThresholdParameter = -1;
    private const int MallocMmapThresholdParameter = -3;
    private const string GlibcTunablesVariable = "GLIBC_TUNABLES";
    private const string GlibcLibrary = "libc.so.6";

    private static readonly Lock Gate = new();
    private static readonly Lazy<bool> HasMallocTrim = new(() => HasGlibcFunction("malloc_trim"));
    private static NativeMemoryTuningResult? _result;

    /// <summary>
    /// Sets glibc's malloc to keep freed memory for reuse (see the remarks); call it once at start-up, before training.
    /// Later calls return the first call's result.
    /// </summary>
    /// <exception cref="InvalidOperationException">glibc refused a threshold.</exception>
    public static NativeMemoryTuningResult KeepFreedMemory()
    {
        lock (Gate)
        {
            return _result ??= Apply();
        }
    }

    private static NativeMemoryTuningResult Apply()
    {
        string? tunables = Environment.GetEnvironmentVariable(GlibcTunablesVariable);
        if (tunables is not null && tunables.Contains("glibc.malloc.", StringComparison.Ordinal))
            return NativeMemoryTuningResult.LeftToEnvironment;
        if (!HasGlibcFunction("mallopt"))
            return NativeMemoryTuningResult.NotGlibc;
        if (mallopt(MallocMmapThresholdParameter, MmapThreshold) != 1)
            throw new InvalidOperationException($"glibc's mallopt refused an mmap threshold of {MmapThreshold} bytes.");
        if (mallopt(MallocTrimThresholdParameter, TrimThreshold) != 1)
            throw new InvalidOperationException($"glibc's mallopt refused a trim threshold of {TrimThreshold} bytes.");
        return NativeMemoryTuningResult.Applied;
    }

    /// <summary>
    /// Hands the free pages of every malloc arena back to the kernel (glibc's <c>malloc_trim</c>); memory in use is untouched.
    /// Safe to call at any time from any thread; its cost is the page faults of touching the released memory again.
    /// </summary>
    /// <returns>False, doing nothing, where the process does not run on glibc.</returns>
    public static bool ReleaseFreedMemory()
    {
        if (!HasMallocTrim.Value)
            return false;
        malloc_trim(0);
        return true;
    }

    private static bool HasGlibcFunction(string name) =>
        OperatingSystem.IsLinux() && NativeLibrary.TryLoad(GlibcLibrary, out var glibc) && NativeLibrary.TryGetExport(glibc, name, out _);

    [DllImport(GlibcLibrary)]
    private static extern int mallopt(int parameter, int value);

    [DllImport(GlibcLibrary)]
    private static extern int malloc_trim(nuint pad);
}
