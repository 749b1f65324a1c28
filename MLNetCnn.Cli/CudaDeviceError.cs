using System.Reflection;
using MLNetCnn.Runtime;

namespace MLNetCnn.Cli;

/// <summary>
/// Says, in the command line's own flags, why <c>--device cuda</c> failed and what to do instead: the library's
/// <see cref="CudaUnavailableException"/> names its API (ComputeDevice, MLContext.FallbackToCpu), which a CLI user cannot set.
/// </summary>
internal static class CudaDeviceError
{
    /// <summary>The TorchSharp backend this build of the command line references (MSBuild property TorchBackend).</summary>
    public static string TorchBackend { get; } = typeof(CudaDeviceError).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == nameof(TorchBackend)).Value!;

    public static string Message(CudaUnavailableException error)
    {
        string why = error.CudaDeviceCount > 0
            ? $"only {error.CudaDeviceCount} CUDA device(s) exist"
            : TorchBackend == "cpu"
                ? "this mlnetcnn is built with the CPU backend, TorchSharp-cpu"
                : $"no CUDA GPU is visible to the TorchSharp-{TorchBackend} backend this mlnetcnn is built with";
        return $"--device cuda: CUDA device {error.DeviceIndex} is not available: {why}. Use --device cpu (or --device auto, which takes " +
            "the GPU when there is one); on a machine with an NVIDIA GPU, build the command line with a CUDA backend: " +
            "dotnet build MLNetCnn.Cli -c Release -p:TorchBackend=cuda-linux (cuda-windows on Windows).";
    }
}
