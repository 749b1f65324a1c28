using MLNetCnn.Architectures;
using static MLNetCnn.Tests.Architectures.ArchitectureTesting;

namespace MLNetCnn.Tests.Architectures;

[TestClass]
public sealed class ResNetTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow("resnet18", 11.69e6)]
    [DataRow("resnet34", 21.80e6)]
    [DataRow("resnet50", 25.56e6)]
    [DataRow("resnet101", 44.55e6)]
    [DataRow("resnet152", 60.19e6)]
    public void ImageNetParameterCountMatchesThePublishedOne(string architecture, double published)
    {
        AssertClose(published, CountParameters(architecture, Spec(3, 224, 1000)), 0.01, architecture);
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow("resnet20", 0.27e6, 0.01e6)]
    [DataRow("resnet32", 0.46e6, 0.01e6)]
    [DataRow("resnet44", 0.66e6, 0.01e6)]
    [DataRow("resnet56", 0.85e6, 0.01e6)]
    [DataRow("resnet110", 1.7e6, 0.1e6)]
    public void CifarParameterCountMatchesThePapersTable6(string architecture, double published, double lastDigit)
    {
        long parameters = CountParameters(architecture, Spec(3, 32, 10));

        Assert.IsLessThanOrEqualTo(lastDigit / 2, Math.Abs(parameters - published), $"{architecture}: {parameters:N0} does not round to {published:N0}");
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow("resnet8", 1)]
    [DataRow("resnet14", 2)]
    [DataRow("resnet20", 3)]
    public void CifarNetworksHave6NPlus2LayersAndParameterFreeZeroPaddedShortcuts(string architecture, int blocksPerStage)
    {
        var names = OnMetaDevice(() =>
        {
            using var network = ModelZoo.Create(architecture, Spec(3, 32, 10));
            return network.named_parameters().Select(p => p.name).ToList();
        });

        Assert.IsFalse(names.Any(n => n.Contains("downsample", StringComparison.Ordinal)), string.Join(", ", names));
        int weightedLayers = names.Count(n => n.EndsWith("weight", StringComparison.Ordinal) && !n.Contains("bn", StringComparison.Ordinal));
        Assert.AreEqual(6 * blocksPerStage + 2, weightedLayers, $"{architecture}: 6n+2 weighted layers");
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow("resnet18", 1.8e9)]
    [DataRow("resnet50", 3.8e9)]
    public void MultiplyAddsAt224MatchThePapersTable1(string architecture, double published)
    {
        var summary = ModelSummary.Create(architecture, Spec(3, 224, 1000));

        // The paper gives two digits; ResNet-50 with its strides on the 1x1 convolutions is usually counted at 3.86G.
        AssertClose(published, summary.MultiplyAdds, 0.02, "multiply-adds");
        Assert.AreEqual(CountParameters(architecture, Spec(3, 224, 1000)), summary.Parameters);
        CollectionAssert.AreEqual(new long[] { 64, 56, 56 }, ShapeOf(summary, "maxpool"));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TorchvisionsStrideOnTheThreeByThreeKeepsTheParametersAndCostsItsPublishedMultiplyAdds()
    {
        var torchvision = ModelSummary.Create("resnet50", Spec(3, 224, 1000, (ResNet.StrideOnThreeByThreeOption, 1)));

        // torchvision's documentation gives 4.09 GFLOPS (multiply-adds) for its ResNet-50.
        AssertClose(4.09e9, torchvision.MultiplyAdds, 0.005, "multiply-adds");
        Assert.AreEqual(CountParameters("resnet50", Spec(3, 224, 1000)), torchvision.Parameters);
        CollectionAssert.AreEqual(new long[] { 128, 56, 56 }, ShapeOf(torchvision, "layer2.0.conv1"));
        CollectionAssert.AreEqual(new long[] { 128, 28, 28 }, ShapeOf(torchvision, "layer2.0.conv2"));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SmallImagesGetAStrideOneStemWithoutMaxPool()
    {
        var at32 = ModelSummary.Create("resnet18", Spec(3, 32, 10));
        var at64 = ModelSummary.Create("resnet18", Spec(3, 64, 10));

        CollectionAssert.AreEqual(new long[] { 64, 32, 32 }, ShapeOf(at32, "conv1"));
        Assert.AreEqual(3L * 64 * 3 * 3, at32.Layers.Single(l => l.Name == "conv1").Parameters);
        Assert.IsFalse(at32.Layers.Any(l => l.Type == "MaxPool2d"));
        CollectionAssert.AreEqual(new long[] { 512, 4, 4 }, ShapeOf(at32, "layer4.1.bn2"));
        CollectionAssert.AreEqual(new long[] { 64, 16, 16 }, ShapeOf(at64, "maxpool"), "the paper's stem from 64 pixels");
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(0, 2)]
    [DataRow(1, 4)]
    [DataRow(2, 8)]
    public void DilatedStagesKeepTheResolutionAndTheParameters(int dilatedStages, int layer4Side)
    {
        var spec = Spec(3, 64, 10, (ResNet.DilatedStagesOption, dilatedStages));
        var summary = ModelSummary.Create("resnet50", spec);

        CollectionAssert.AreEqual(new long[] { 2048, layer4Side, layer4Side }, ShapeOf(summary, "layer4.2.bn3"));
        Assert.AreEqual(CountParameters("resnet50", Spec(3, 64, 10)), summary.Parameters);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void InvalidDilationOptionsNameTheOption()
    {
        var outOfRange = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("resnet18", Spec(3, 64, 10, (ResNet.DilatedStagesOption, 4))));
        var fractional = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("resnet18", Spec(3, 64, 10, (ResNet.DilatedStagesOption, 1.5))));
        var cifar = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("resnet20", Spec(3, 32, 10, (ResNet.DilatedStagesOption, 1))));

        StringAssert.Contains(outOfRange.Message, "'dilated_stages' of resnet18");
        StringAssert.Contains(fractional.Message, "whole number");
        StringAssert.Contains(cifar.Message, "resnet20 has no option 'dilated_stages'");
    }
}
