using System.Runtime.InteropServices;

namespace MLNetCnn.Runtime;

/// <summary>
/// Caps libtorch's oneDNN at AVX on CPUs that do not describe their caches (<see cref="CpuCacheTopology"/>). There its AVX2 and
/// AVX-512 kernels size their blocks from a per-core cache size of zero: the brgemm convolutions stop the process with SIGFPE,
/// and pooling and convolutions elsewhere return wrong values, even NaN (measured on AMD EPYC under Firecracker; at AVX every
/// test agrees with ONNX Runtime and with PyTorch). A value of <c>ONEDNN_MAX_CPU_ISA</c> set by the user is kept.
/// </summary>
internal static partial class OneDnnInstructionSetLimit
{
    /// <summary>oneDNN's variable, read once when it creates its first primitive.</summary>
    public const string Variable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The widest instruction set whose oneDNN kernels do not depend on the cache sizes.</summary>
    public const string Limit = "AVX";

    // oneDNN's names for the instruction sets up to the limit.
    private static readonly string[] CacheIndependentSets = ["SSE41", Limit];

    /// <summary>
    /// Whether oneDNN runs only kernels that do not depend on the cache sizes on a CPU that does not describe them: true where
    /// it is held to <see cref="Limit"/> or below (by this class or by the user), false where a user's value lifts the limit.
    /// </summary>
    public static bool HoldsWhereCachesAreUnknown => CpuCacheTopology.IsDescribed || HeldInThisProcess.Value;

    // oneDNN reads the variable once, at its first primitive; so is it read here.
    private static readonly Lazy<bool> HeldInThisProcess = new(() =>
    {
        ApplyWhereCachesAreUnknown();
        string? value = OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(GetNativeEnvironmentVariable(Variable)) : null;
        return value is not null && CacheIndependentSets.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
    });

    /// <summary>Sets the limit in the process's native environment, before libtorch creates any oneDNN primitive.</summary>
    public static void ApplyWhereCachesAreUnknown()
    {
        if (CpuCacheTopology.IsDescribed || !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null)
            return;
        // .NET keeps its own copy of the environment; oneDNN reads the C library's.
        _ = SetEnvironmentVariable(Variable, Limit, overwrite: 0);
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetNativeEnvironmentVariable(string name);

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironmentVariable(string name, string value, int overwrite);
}
