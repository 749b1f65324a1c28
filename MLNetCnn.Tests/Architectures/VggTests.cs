using static MLNetCnn.Tests.Architectures.ArchitectureTesting;

namespace MLNetCnn.Tests.Architectures;

[TestClass]
public sealed class VggTests
{
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

    [TestMethod]
    public void BatchNormalisationAddsAScaleAndAShiftPerConvolutionChannel()
    {
        long plain = CountParameters("vgg16", Spec(3, 224, 1000));
        long normalised = CountParameters("vgg16-bn", Spec(3, 224, 1000));

        Assert.AreEqual(2L * (2 * 64 + 2 * 128 + 3 * 256 + 6 * 512), normalised - plain);
    }

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

    [TestMethod]
    public void SmallImagesSkipThePoolsTheirMapsCannotTake()
    {
        var at32 = ModelSummary.Create("vgg11", Spec(3, 32, 10));
        var at28 = ModelSummary.Create("vgg11", Spec(1, 28, 10));

        Assert.AreEqual(5, at32.Layers.Count(l => l.Type == "MaxPool2d"));
        CollectionAssert.AreEqual(new long[] { 512, 1, 1 }, ShapeOf(at32, "avgpool"));
        Assert.AreEqual(4, at28.Layers.Count(l => l.Type == "MaxPool2d"), "28 -> 14 -> 7 -> 3 -> 1, and no fifth pool");
        CollectionAssert.AreEqual(new long[] { 512, 1, 1 }, ShapeOf(at28, "avgpool"));
        CollectionAssert.AreEqual(new long[] { 4096 }, ShapeOf(at28, "classifier.0"));
        Assert.AreEqual(512L * 4096 + 4096, at28.Layers.Single(l => l.Name == "classifier.0").Parameters);
    }
}
