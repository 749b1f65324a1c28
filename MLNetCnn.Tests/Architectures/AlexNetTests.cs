using MLNetCnn.Architectures;
using MLNetCnn.Data;
using TorchSharp.Modules;
using static MLNetCnn.Tests.Architectures.ArchitectureTesting;

namespace MLNetCnn.Tests.Architectures;

[TestClass]
public sealed class AlexNetTests
{
    [TestMethod]
    [DataRow("alexnet", 62.38e6)]
    [DataRow("alexnet-grouped", 60.97e6)]
    public void ParameterCountMatchesThePublishedOne(string architecture, double published)
    {
        long parameters = CountParameters(architecture, Spec(3, 227, 1000));

        AssertClose(published, parameters, 0.01, architecture);
    }

    [TestMethod]
    public void TheTorchvisionVariantHasTorchvisionsParameterCountAndNoResponseNormalisation()
    {
        // torchvision's AlexNet_Weights.IMAGENET1K_V1.meta["num_params"].
        Assert.AreEqual(61_100_840L, CountParameters("alexnet-torchvision", Spec(3, 224, 1000)));
        using var network = ModelZoo.Create("alexnet-torchvision", Spec(3, 224, 1000));
        Assert.IsFalse(network.modules().Any(m => m is LocalResponseNorm), "torchvision's AlexNet has no local response normalisation");
    }

    [TestMethod]
    [DataRow("alexnet-torchvision", 127, 6, DisplayName = "torchvision's: a 3x3 map is pooled up to 6x6")]
    [DataRow("alexnet-torchvision", 224, 6, DisplayName = "torchvision's: a 6x6 map stays")]
    [DataRow("alexnet", 127, 2, DisplayName = "the paper's: a 2x2 map is not pooled up")]
    public void OnlyTorchvisionsVariantPoolsAdaptivelyByDefault(string architecture, int side, int pooledSide)
    {
        var summary = ModelSummary.Create(architecture, Spec(3, side, 1000));

        CollectionAssert.AreEqual(new long[] { 256, pooledSide, pooledSide }, ShapeOf(summary, "avgpool"));
        var withOption = ModelSummary.Create("alexnet", Spec(3, side, 1000, (AlexNet.AdaptivePoolOption, 1)));
        CollectionAssert.AreEqual(new long[] { 256, 6, 6 }, ShapeOf(withOption, "avgpool"), "the option pools the paper's network adaptively too");
    }

    [TestMethod]
    public void GroupedConvolutionsHaveThePapersKernelShapes()
    {
        var shapes = OnMetaDevice(() =>
        {
            using var network = ModelZoo.Create("alexnet-grouped", Spec(3, 227, 1000));
            return network.modules().OfType<Conv2d>().Select(c => c.weight!.shape).ToList();
        });

        CollectionAssert.AreEqual(new long[] { 96, 3, 11, 11 }, shapes[0]);
        CollectionAssert.AreEqual(new long[] { 256, 48, 5, 5 }, shapes[1]);
        CollectionAssert.AreEqual(new long[] { 384, 256, 3, 3 }, shapes[2], "conv3 reads both halves");
        CollectionAssert.AreEqual(new long[] { 384, 192, 3, 3 }, shapes[3]);
        CollectionAssert.AreEqual(new long[] { 256, 192, 3, 3 }, shapes[4]);
    }

    [TestMethod]
    public void LayerShapesAt227MatchThePaperAndTheSummaryTotalsTheCount()
    {
        var spec = Spec(3, 227, 1000);
        var summary = ModelSummary.Create("alexnet", spec);

        var shapes = summary.Layers.Where(l => l.Type is "Conv2d" or "MaxPool2d").Select(l => string.Join("x", l.OutputShape)).ToArray();
        CollectionAssert.AreEqual(new[] { "96x55x55", "96x27x27", "256x27x27", "256x13x13", "384x13x13", "384x13x13", "256x13x13", "256x6x6" }, shapes);
        Assert.AreEqual(CountParameters("alexnet", spec), summary.Parameters);
        Assert.AreEqual(summary.Layers.Sum(l => l.Parameters), summary.Parameters);
        Assert.AreEqual(2, summary.Layers.Count(l => l.Type == "LocalResponseNorm"), "LRN follows conv1 and conv2");
    }

    [TestMethod]
    public void ZFNetLayerShapesAt224MatchThePaper()
    {
        var summary = ModelSummary.Create("zfnet", Spec(3, 224, 1000));

        var shapes = summary.Layers.Where(l => l.Type is "Conv2d" or "MaxPool2d").Select(l => string.Join("x", l.OutputShape)).ToArray();
        CollectionAssert.AreEqual(new[] { "96x110x110", "96x55x55", "256x26x26", "256x13x13", "512x13x13", "1024x13x13", "512x13x13", "512x6x6" }, shapes);
    }

    [TestMethod]
    [DataRow("alexnet", 67, 15)]
    [DataRow("zfnet", 47, 22)]
    public void SmallImagesRunTheFirstLayersAtStrideOne(string architecture, int paperMinimum, int paperConv1Side)
    {
        long Conv1Side(int side) => ModelSummary.Create(architecture, Spec(3, side, 10)).Layers[0].OutputShape[1];

        Assert.AreEqual(paperConv1Side, Conv1Side(paperMinimum), "the paper's stride from the paper's minimum");
        Assert.AreEqual(paperMinimum - 1L, Conv1Side(paperMinimum - 1), "stride 1 and same padding below it");
    }

    [TestMethod]
    [DataRow("alexnet", 15)]
    [DataRow("zfnet", 8)]
    public void TooSmallImagesAreRejectedWithTheMinimum(string architecture, int minimum)
    {
        using (ModelZoo.Create(architecture, Spec(1, minimum, 10)))
        {
        }

        var error = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create(architecture, new ModelSpec(new ImageShape(1, minimum - 1, 40), 10)));
        StringAssert.Contains(error.Message, architecture);
        StringAssert.Contains(error.Message, $"{minimum}x{minimum}");
    }
}
