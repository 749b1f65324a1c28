using System.Runtime.Intrinsics.X86;

namespace MLNetCnn.Runtime;

/// <summary>
/// Whether the CPU describes its caches through CPUID: leaf 4 (Intel's deterministic cache parameters) or leaf 0x8000001D
/// (AMD's cache topology). Some virtual machines leave both empty (Firecracker on AMD EPYC); libtorch's oneDNN then derives a
/// per-core cache size of zero for its AVX2 and AVX-512 kernels: its brgemm convolutions divide by it (SIGFPE) and others return
/// wrong values. <see cref="OneDnnInstructionSetLimit"/> and <see cref="TensorLayouts.ChannelsLastSupported"/> act on it.
/// </summary>
internal static class CpuCacheTopology
{
    private const int DeterministicCacheParameters = 4;
    private const uint MaxExtendedLeaf = 0x80000000;
    private const uint AmdCacheTopology = 0x8000001D;

    /// <summary>False on an x86 CPU whose cache-description leaves return no cache.</summary>
    public static bool IsDescribed { get; } = Describe();

    private static bool Describe()
    {
        if (!X86Base.IsSupported)
            return true;
        int maxLeaf = X86Base.CpuId(0, 0).Eax;
        uint maxExtendedLeaf = (uint)X86Base.CpuId(unchecked((int)MaxExtendedLeaf), 0).Eax;
        return (maxLeaf >= DeterministicCacheParameters && HasFirstCache(DeterministicCacheParameters))
            || (maxExtendedLeaf >= AmdCacheTopology && HasFirstCache(unchecked((int)AmdCacheTopology)));
    }

    // EAX bits 0-4 of subleaf 0 hold the type of the first cache; 0 means none.
    private static bool HasFirstCache(int leaf) => (X86Base.CpuId(leaf, 0).Eax & 0x1F) != 0;
}
