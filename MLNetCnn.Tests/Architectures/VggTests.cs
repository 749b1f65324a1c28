using MLNetCnn.Architectures;
using MLNetCnn.Data;
using TorchSharp.Modules;
using static MLNetCnn.Tests.Architectures.ArchitectureTesting;

namespace MLNetCnn.Tests.Architectures;

[TestClass]
public sealed class VggTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow("vgg11", 133e6)]
    [DataRow("vgg13", 133e6)]
    [DataRow("vgg16", 138.4e6)]
    [DataRow("vgg19", 144e6)]
    public void ParameterCountMatchesThePapersTable2(string architecture, double published)
    {
        long parameters = CountParameters(architecture, Spec(3, 224, 1000));

        AssertClose(published, parameters, 0.01, architecture);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void BatchNormalisationAddsAScaleAndAShiftPerConvolutionChannel()
    {
        long plain = CountParameters("vgg16", Spec(3, 224, 1000));
        long normalised = CountParameters("vgg16-bn", Spec(3, 224, 1000));

        Assert.AreEqual(2L * (2 * 64 + 2 * 128 + 3 * 256 + 6 * 512), normalised - plain);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AtThePapersSizeFc6ReadsTheSevenBySevenMap()
    {
        var fc6 = OnMetaDevice(() =>
        {
            using var network = ModelZoo.Create("vgg19", Spec(3, 224, 1000));
            return network.named_parameters().Single(p => p.name == "classifier.0.weight").parameter.shape;
        });

        CollectionAssert.AreEqual(new long[] { 4096, 512 * 7 * 7 }, fc6);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SmallImagesSkipThePoolsTheirMapsCannotTakeAndWithoutAdaptivePoolingFc6ReadsTheSmallMap()
    {
        var at32 = ModelSummary.Create("vgg11", Spec(3, 32, 10, (Vgg.AdaptivePoolOption, 0)));
        var at28 = ModelSummary.Create("vgg11", Spec(1, 28, 10, (Vgg.AdaptivePoolOption, 0)));

        Assert.AreEqual(5, at32.Layers.Count(l => l.Type == "MaxPool2d"));
        CollectionAssert.AreEqual(new long[] { 512, 1, 1 }, ShapeOf(at32, "avgpool"));
        Assert.AreEqual(4, at28.Layers.Count(l => l.Type == "MaxPool2d"), "28 -> 14 -> 7 -> 3 -> 1, and no fifth pool");
        CollectionAssert.AreEqual(new long[] { 512, 1, 1 }, ShapeOf(at28, "avgpool"));
        CollectionAssert.AreEqual(new long[] { 4096 }, ShapeOf(at28, "classifier.0"));
        Assert.AreEqual(512L * 4096 + 4096, at28.Layers.Single(l => l.Name == "classifier.0").Parameters);
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(160, 192, DisplayName = "a 5x6 map is pooled up")]
    [DataRow(32, 32, DisplayName = "a 1x1 map is pooled up")]
    [DataRow(288, 320, DisplayName = "a 9x10 map is pooled down")]
    public void ByDefaultTheLastMapIsPooledToSevenBySevenAsInTorchvisionSoFc6KeepsItsShape(int height, int width)
    {
        var spec = new ModelSpec(new ImageShape(3, height, width), 1000);
        var (pooled, fc6) = OnMetaDevice(() =>
        {
            using var network = ModelZoo.Create("vgg11-bn", spec);
            return (((AdaptiveAvgPool2d)Layer(network, "avgpool")).output_size, network.named_parameters().Single(p => p.name == "classifier.0.weight").parameter.shape);
        });

        CollectionAssert.AreEqual(new long[] { 7, 7 }, pooled);
        CollectionAssert.AreEqual(new long[] { 4096, 512 * 7 * 7 }, fc6);
        Assert.AreEqual(CountParameters("vgg11-bn", Spec(3, 224, 1000)), CountParameters("vgg11-bn", spec), "the parameters of the 224x224 network");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheAdaptivePoolOptionTakesOnlyZeroOrOne()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("vgg11", Spec(3, 32, 10, (Vgg.AdaptivePoolOption, 2))));

        StringAssert.Contains(error.Message, "'adaptive_pool' of vgg11 is 2");
    }
}
