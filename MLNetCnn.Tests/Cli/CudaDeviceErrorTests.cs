using MLNetCnn.Cli;
using MLNetCnn.Runtime;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class CudaDeviceErrorTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void TrainOnCudaWithoutAGpuFailsWithOneLineNamingTheCommandLineFlagsNotTheLibraryApi()
    {
        var result = CliInProcess.Run("train", "--device", "cuda", "--epochs", "1", "--output", TestFolders.Create());

        CliInProcess.AssertFails(result, "--device cuda", "--device cpu", "-p:TorchBackend=cuda-linux",
            "built with the CPU backend, TorchSharp-cpu");
        foreach (var libraryName in new[] { "ComputeDevice", "FallbackToCpu", "MLContext" })
            Assert.IsFalse(result.Error.Contains(libraryName, StringComparison.Ordinal), result.Error);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void CompareOnCudaWithoutAGpuFailsBeforeItsFirstTrial()
    {
        var result = CliInProcess.Run("compare", "--device", "cuda", "--arch", "lenet5", "--epochs", "1", "--output", TestFolders.Create());

        CliInProcess.AssertFails(result, "--device cpu");
        Assert.IsFalse(result.Output.Contains("Trial 1", StringComparison.Ordinal), result.Output);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AMissingDeviceIndexSaysHowManyDevicesThereAre()
    {
        string message = CudaDeviceError.Message(new CudaUnavailableException(deviceIndex: 2, cudaDeviceCount: 2));

        StringAssert.Contains(message, "CUDA device 2 is not available: only 2 CUDA device(s) exist.");
        StringAssert.Contains(message, "--device cpu");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheBackendThisBuildReferencesIsTheDefaultCpu() => Assert.AreEqual("cpu", CudaDeviceError.TorchBackend);
}
