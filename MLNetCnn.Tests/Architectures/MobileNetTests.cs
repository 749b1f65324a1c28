using MLNetCnn.Architectures;
using static MLNetCnn.Tests.Architectures.ArchitectureTesting;

namespace MLNetCnn.Tests.Architectures;

[TestClass]
public sealed class MobileNetTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow("mobilenet-v1", 4.2e6, 569e6)]
    [DataRow("mobilenet-v1-0.75", 2.6e6, 325e6)]
    [DataRow("mobilenet-v1-0.5", 1.3e6, 149e6)]
    [DataRow("mobilenet-v1-0.25", 0.5e6, 41e6)]
    public void WidthMultipliersMatchThePapersTable6(string architecture, double parameters, double multiplyAdds)
    {
        var summary = ModelSummary.Create(architecture, Spec(3, 224, 1000));

        Assert.IsLessThanOrEqualTo(0.05e6, Math.Abs(summary.Parameters - parameters), $"{summary.Parameters:N0} does not round to {parameters:N0}");
        AssertClose(multiplyAdds, summary.MultiplyAdds, 0.01, "multiply-adds");
        Assert.AreEqual(CountParameters(architecture, Spec(3, 224, 1000)), summary.Parameters);
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(192, 418e6)]
    [DataRow(160, 290e6)]
    [DataRow(128, 186e6)]
    public void ResolutionMultipliersMatchThePapersTable7(int resolution, double multiplyAdds)
    {
        var spec = Spec(3, 224, 1000, (MobileNet.ResolutionMultiplierOption, resolution / 224.0));

        var summary = ModelSummary.Create("mobilenet-v1", spec);

        AssertClose(multiplyAdds, summary.MultiplyAdds, 0.01, "multiply-adds");
        CollectionAssert.AreEqual(new long[] { 3, resolution, resolution }, ShapeOf(summary, "resize"));
        Assert.AreEqual(CountParameters("mobilenet-v1", Spec(3, 224, 1000)), summary.Parameters, "rho leaves the parameters alone");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheAlphaOptionGivesTheRegisteredWidths()
    {
        long viaOption = CountParameters("mobilenet-v1", Spec(3, 32, 10, (MobileNet.WidthMultiplierOption, 0.5)));

        Assert.AreEqual(CountParameters("mobilenet-v1-0.5", Spec(3, 32, 10)), viaOption);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("mobilenet-v1-0.5", Spec(3, 32, 10, (MobileNet.WidthMultiplierOption, 0.25))));
        StringAssert.Contains(error.Message, "it takes: rho");
        var outOfRange = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("mobilenet-v1", Spec(3, 32, 10, (MobileNet.ResolutionMultiplierOption, 1.5))));
        StringAssert.Contains(outOfRange.Message, "'rho' of mobilenet-v1 is 1.5");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SmallImagesRunTheFirstConvolutionAtStrideOne()
    {
        var summary = ModelSummary.Create("mobilenet-v1-0.25", Spec(3, 32, 10));

        CollectionAssert.AreEqual(new long[] { 8, 32, 32 }, ShapeOf(summary, "conv1"));
        CollectionAssert.AreEqual(new long[] { 256, 2, 2 }, ShapeOf(summary, "blocks.12.bn2"));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void WeightsStartFromANormalOfDeviation009TruncatedAtTwoDeviations()
    {
        using var network = ModelZoo.Create("mobilenet-v1-0.25", Spec(3, 32, 10));
        var weights = Layer(network, "blocks.12.conv_pw").named_parameters().Single(p => p.name == "weight").parameter;

        // A normal truncated at two deviations keeps 0.880 of its deviation.
        AssertClose(0.09 * 0.880, weights.std().item<float>(), 0.03, "deviation of 65,536 weights");
        Assert.IsLessThanOrEqualTo(0.18f, weights.abs().max().item<float>());
        Assert.IsLessThan(0.002, Math.Abs(weights.mean().item<float>()), "centred on zero");
    }
}
