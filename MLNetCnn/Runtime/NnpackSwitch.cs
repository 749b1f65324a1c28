using System.Runtime.InteropServices;

namespace MLNetCnn.Runtime;

/// <summary>
/// Turns libtorch's NNPACK convolutions off on CPUs that do not describe their caches (<see cref="CpuCacheTopology"/>): NNPACK
/// cannot initialise there, and libtorch logs "Could not initialize NNPACK! Reason: Unsupported hardware." for every convolution
/// that asks for it (PyTorch's <c>torch.backends.nnpack.set_flags(False)</c>; TorchSharp has no binding for it).
/// </summary>
internal static class NnpackSwitch
{
    private const string TorchCpuFileName = "libtorch_cpu.so";
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabledNnpack = "_ZN2at7Context20setUserEnabledNNPACKEb";

    /// <summary>Disables NNPACK where it cannot run; a no-op elsewhere, off Linux, and when libtorch lacks the symbols.</summary>
    public static unsafe void DisableWhereUnsupported()
    {
        if (CpuCacheTopology.IsDescribed || !OperatingSystem.IsLinux())
            return;
        // Already loaded with libtorch: dlopen finds it by its soname.
        if (!NativeLibrary.TryLoad(TorchCpuFileName, out var library)
            || !NativeLibrary.TryGetExport(library, GlobalContext, out var globalContext)
            || !NativeLibrary.TryGetExport(library, SetUserEnabledNnpack, out var setEnabled))
            return;
        nint context = ((delegate* unmanaged<nint>)globalContext)();
        ((delegate* unmanaged<nint, byte, void>)setEnabled)(context, 0);
    }
}
