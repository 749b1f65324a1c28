namespace MLNetCnn.Runtime;

/// <summary>
/// CUDA was asked for but the device is not there (no CUDA GPU, no CUDA backend package, or fewer devices), and falling
/// back to the CPU was not allowed. Front ends (the command line) catch it to name their own switches.
/// </summary>
public sealed class CudaUnavailableException : InvalidOperationException
{
    /// <summary>Creates the error for a CUDA device index that does not exist on this machine.</summary>
    /// <param name="deviceIndex">The CUDA device asked for.</param>
    /// <param name="cudaDeviceCount">The CUDA devices TorchSharp sees (0 when <c>torch.cuda.is_available()</c> is false).</param>
    public CudaUnavailableException(int deviceIndex, int cudaDeviceCount)
        : base($"CUDA device {deviceIndex} was asked for but {Describe(cudaDeviceCount)}. Choose the CPU (ComputeDevice.Cpu), " +
            "or allow falling back to it (MLContext.FallbackToCpu = true).")
    {
        DeviceIndex = deviceIndex;
        CudaDeviceCount = cudaDeviceCount;
    }

    /// <summary>The CUDA device asked for.</summary>
    public int DeviceIndex { get; }

    /// <summary>The CUDA devices TorchSharp sees (0 when <c>torch.cuda.is_available()</c> is false).</summary>
    public int CudaDeviceCount { get; }

    /// <summary>Why the device is missing, as a clause: "torch.cuda.is_available() is false (...)" or "only N ... exist".</summary>
    internal static string Describe(int cudaDeviceCount) => cudaDeviceCount == 0
        ? "torch.cuda.is_available() is false (no CUDA GPU, or no CUDA backend package such as TorchSharp-cuda-linux is referenced)"
        : $"only {cudaDeviceCount} CUDA device(s) exist";
}
