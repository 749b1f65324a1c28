using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class OptimizationFlagsTests
{
    [TestMethod]
    [DataRow("channels-last", "channels-last")]
    [DataRow("channels-first", "channels-first")]
    [DataRow("auto", "channels-last")]
    public void TrainTrainsInTheLayoutItsFlagNamesAndSavesAModelThatLoads(string flag, string layout)
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 4);
        string run = Path.Combine(TestFolders.Create(), "run");

        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--arch", "resnet20", "--layout", flag, "--image-size", "16",
            "--epochs", "1", "--batch-size", "4", "--validation-fraction", "0", "--test-fraction", "0.25", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        // auto runs ResNet-20 channels-last on every CPU, and every layout runs channels-first when the user's ONEDNN_MAX_CPU_ISA
        // lifts the AVX limit on a CPU that does not describe its caches.
        bool runsAsAsked = TensorLayouts.ChannelsLastSupported(TorchSharp.torch.CPU);
        string expected = runsAsAsked ? layout : "channels-first";
        StringAssert.Contains(output, $"Memory layout: {expected}.");
        using var model = (TransformerChain<ITransformer>)new MLContext().Model.LoadFromFile(Path.Combine(run, "model.zip"), out _);
        Assert.AreEqual("resnet20", model.OfType<CnnClassificationTransformer>().Single().Model.Architecture);
    }

    [TestMethod]
    public void AnUnknownLayoutFailsNamingTheFlagAndTheChoices() =>
        CliInProcess.AssertFails(CliInProcess.Run("train", "--layout", "nhwc"), "--layout", "'nhwc'", "channels-last");
}
