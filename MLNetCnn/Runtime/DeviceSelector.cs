using static TorchSharp.torch;

namespace MLNetCnn.Runtime;

/// <summary>The device chosen for a run, and why, for logs.</summary>
/// <param name="Device">The TorchSharp device.</param>
/// <param name="Reason">A sentence saying why this device was chosen.</param>
public sealed record DeviceChoice(Device Device, string Reason);

/// <summary>
/// Chooses the device the way ML.NET's own TorchSharp trainers do: a GPU id (as in
/// <c>MLContext.GpuDeviceId</c>) asks for CUDA; asking for CUDA where there is none is an error unless
/// falling back to the CPU is allowed (as in <c>MLContext.FallbackToCpu</c>).
/// </summary>
public static class DeviceSelector
{
    /// <summary>Chooses a device for this machine.</summary>
    /// <param name="requested">The device asked for.</param>
    /// <param name="gpuDeviceId">A CUDA device index; when set, <see cref="ComputeDevice.Auto"/> means CUDA.</param>
    /// <param name="fallbackToCpu">Use the CPU instead of failing when CUDA is asked for but absent.</param>
    /// <exception cref="CudaUnavailableException">CUDA was asked for, is absent, and fallback is not allowed.</exception>
    public static DeviceChoice Select(ComputeDevice requested, int? gpuDeviceId = null, bool fallbackToCpu = false)
    {
        return Select(requested, gpuDeviceId, fallbackToCpu, cuda.is_available() ? cuda.device_count() : 0);
    }

    internal static DeviceChoice Select(ComputeDevice requested, int? gpuDeviceId, bool fallbackToCpu, int cudaDeviceCount)
    {
        if (gpuDeviceId < 0)
            throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), gpuDeviceId, "A GPU device id cannot be negative.");
        if (requested == ComputeDevice.Cpu)
            return new DeviceChoice(CPU, "the CPU was asked for");

        bool cudaDemanded = requested == ComputeDevice.Cuda || gpuDeviceId.HasValue;
        int index = gpuDeviceId ?? 0;
        if (index < cudaDeviceCount)
        {
            return new DeviceChoice(new Device(TorchSharp.DeviceType.CUDA, index),
                cudaDemanded ? $"CUDA device {index} was asked for" : "CUDA is available");
        }
        if (!cudaDemanded)
            return new DeviceChoice(CPU, "no CUDA device is available");

        if (fallbackToCpu)
        {
            return new DeviceChoice(CPU,
                $"CUDA device {index} was asked for but {CudaUnavailableException.Describe(cudaDeviceCount)}; falling back to the CPU");
        }
        throw new CudaUnavailableException(index, cudaDeviceCount);
    }
}
