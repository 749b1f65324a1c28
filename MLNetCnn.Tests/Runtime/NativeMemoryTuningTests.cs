using System.Runtime.InteropServices;
using MLNetCnn.Runtime;

namespace MLNetCnn.Tests.Runtime;

[TestClass]
public sealed class NativeMemoryTuningTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ReleasingFreedMemoryLowersTheResidentSetOnGlibc()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("malloc_trim is glibc's.");
        // 256 MiB in blocks below glibc's mmap threshold, so they come from the heap; the last block stays allocated, so
        // free() cannot trim the heap's top and the freed blocks stay resident until released.
        const int blockBytes = 64 * 1024, blocks = 4096;
        var ones = Enumerable.Repeat((byte)1, blockBytes).ToArray();
        var pointers = new nint[blocks];
        for (int i = 0; i < blocks; i++)
        {
            pointers[i] = Marshal.AllocHGlobal(blockBytes);
            Marshal.Copy(ones, 0, pointers[i], blockBytes);
        }
        for (int i = 0; i < blocks - 1; i++)
            Marshal.FreeHGlobal(pointers[i]);
        try
        {
            long before = ProcessStatus.Bytes("RssAnon");
            Assert.IsTrue(NativeMemoryTuning.ReleaseFreedMemory());
            long after = ProcessStatus.Bytes("RssAnon");
            Assert.IsGreaterThan(128L << 20, before - after, $"resident anonymous {before >> 20} MiB before, {after >> 20} MiB after");
        }
        finally
        {
            Marshal.FreeHGlobal(pointers[^1]);
        }
    }
}
