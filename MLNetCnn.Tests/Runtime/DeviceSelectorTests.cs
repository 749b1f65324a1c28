using MLNetCnn.Runtime;
using TorchSharp;

namespace MLNetCnn.Tests.Runtime;

[TestClass]
public sealed class DeviceSelectorTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void AutoChoosesTheCpuWithoutCudaAndCudaWithIt()
    {
        Assert.AreEqual(DeviceType.CPU, DeviceSelector.Select(ComputeDevice.Auto, null, false, cudaDeviceCount: 0).Device.type);
        var cuda = DeviceSelector.Select(ComputeDevice.Auto, null, false, cudaDeviceCount: 2).Device;
        Assert.AreEqual(DeviceType.CUDA, cuda.type);
        Assert.AreEqual(0, cuda.index);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AGpuIdSelectsThatCudaDevice()
    {
        var choice = DeviceSelector.Select(ComputeDevice.Auto, gpuDeviceId: 1, fallbackToCpu: false, cudaDeviceCount: 2);
        Assert.AreEqual(DeviceType.CUDA, choice.Device.type);
        Assert.AreEqual(1, choice.Device.index);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AskingForCudaWithoutAGpuIsAnErrorThatSaysWhatToDo()
    {
        var error = Assert.ThrowsExactly<CudaUnavailableException>(() => DeviceSelector.Select(ComputeDevice.Cuda, null, false, cudaDeviceCount: 0));
        StringAssert.Contains(error.Message, "FallbackToCpu");
        Assert.AreEqual((0, 0), (error.DeviceIndex, error.CudaDeviceCount));
        var beyond = Assert.ThrowsExactly<CudaUnavailableException>(() => DeviceSelector.Select(ComputeDevice.Auto, gpuDeviceId: 3, false, cudaDeviceCount: 2));
        StringAssert.Contains(beyond.Message, "only 2 CUDA device(s) exist");
        Assert.AreEqual((3, 2), (beyond.DeviceIndex, beyond.CudaDeviceCount));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void FallbackToCpuTurnsAMissingGpuIntoTheCpu()
    {
        var choice = DeviceSelector.Select(ComputeDevice.Cuda, gpuDeviceId: 0, fallbackToCpu: true, cudaDeviceCount: 0);
        Assert.AreEqual(DeviceType.CPU, choice.Device.type);
        StringAssert.Contains(choice.Reason, "falling back");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void CpuIsHonouredEvenWithAGpu() =>
        Assert.AreEqual(DeviceType.CPU, DeviceSelector.Select(ComputeDevice.Cpu, gpuDeviceId: 0, false, cudaDeviceCount: 1).Device.type);

    [TestCategory("Fast")]

    [TestMethod]
    public void ThisMachineTrainsOnTheCpu() =>
        Assert.AreEqual(DeviceType.CPU, DeviceSelector.Select(ComputeDevice.Auto).Device.type);
}
