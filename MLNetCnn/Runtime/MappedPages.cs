using System.Runtime.InteropServices;

namespace MLNetCnn.Runtime;

/// <summary>
/// Drops the pages of a read-only file mapping from this process's resident memory (Linux <c>madvise(MADV_DONTNEED)</c>):
/// they stay in the operating system's page cache, and the next read maps them again without touching the disk.
/// Without it every page of a memory-mapped file that was ever read counts in the process's resident memory.
/// </summary>
internal static unsafe class MappedPages
{
    private const int DontNeed = 4;
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Releases <paramref name="length"/> bytes mapped at the page-aligned <paramref name="start"/>; does nothing where it
    /// cannot.</summary>
    public static void Release(byte* start, long length)
    {
        if (_unavailable || length <= 0)
            return;
        try
        {
            madvise(start, (nuint)length, DontNeed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
        }
    }

    [DllImport("libc.so.6")]
    private static extern int madvise(void* address, nuint length, int advice);
}
