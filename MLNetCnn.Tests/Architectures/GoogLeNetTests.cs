using MLNetCnn.Architectures;
using MLNetCnn.Training;
using static MLNetCnn.Tests.Architectures.ArchitectureTesting;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Architectures;

[TestClass]
public sealed class GoogLeNetTests
{
    /// <summary>The Inception rows of table 1: input channels, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.</summary>
    private static readonly int[][] InceptionRows =
    [
        [192, 64, 96, 128, 16, 32, 32], [256, 128, 128, 192, 32, 96, 64],
        [480, 192, 96, 208, 16, 48, 64], [512, 160, 112, 224, 24, 64, 64], [512, 128, 128, 256, 24, 64, 64],
        [512, 112, 144, 288, 32, 64, 64], [528, 256, 160, 320, 32, 128, 128],
        [832, 256, 160, 320, 32, 128, 128], [832, 384, 192, 384, 48, 128, 128],
    ];

    [TestCategory("Fast")]

    [TestMethod]
    public void ParametersWithoutTheAuxiliaryHeadsAreThoseOfTable1()
    {
        static long Conv(long input, long output, long kernel) => input * output * kernel * kernel + output;
        long expected = Conv(3, 64, 7) + Conv(64, 64, 1) + Conv(64, 192, 3)
            + InceptionRows.Sum(r => Conv(r[0], r[1], 1) + Conv(r[0], r[2], 1) + Conv(r[2], r[3], 3) + Conv(r[0], r[4], 1) + Conv(r[4], r[5], 5) + Conv(r[0], r[6], 1))
            + 1024 * 1000 + 1000;

        long parameters = CountParameters("googlenet", Spec(3, 224, 1000), name => !name.StartsWith("aux", StringComparison.Ordinal));

        Assert.AreEqual(expected, parameters);
        AssertClose(6.8e6, parameters, 0.03, "the paper's stated 6.8M, which its table 1 does not quite add up to");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheTorchvisionVariantHasTorchvisionsParameterCountWithoutTheAuxiliaryHeads()
    {
        long parameters = CountParameters("googlenet-torchvision", Spec(3, 224, 1000), name => !name.StartsWith("aux", StringComparison.Ordinal));

        // torchvision's GoogLeNet_Weights.IMAGENET1K_V1.meta["num_params"].
        Assert.AreEqual(6_624_904L, parameters);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void MapsAt224AreThoseOfTable1AndTheAuxiliaryHeadsDoNotRunAtInference()
    {
        var summary = ModelSummary.Create("googlenet", Spec(3, 224, 1000));

        CollectionAssert.AreEqual(new long[] { 64, 112, 112 }, ShapeOf(summary, "conv1.relu"));
        CollectionAssert.AreEqual(new long[] { 64, 56, 56 }, ShapeOf(summary, "maxpool1"));
        CollectionAssert.AreEqual(new long[] { 192, 56, 56 }, ShapeOf(summary, "conv3.relu"));
        CollectionAssert.AreEqual(new long[] { 192, 28, 28 }, ShapeOf(summary, "maxpool2"));
        CollectionAssert.AreEqual(new long[] { 480, 14, 14 }, ShapeOf(summary, "maxpool3"));
        CollectionAssert.AreEqual(new long[] { 832, 7, 7 }, ShapeOf(summary, "maxpool4"));
        CollectionAssert.AreEqual(new long[] { 1024, 1, 1 }, ShapeOf(summary, "avgpool"));
        CollectionAssert.AreEqual(new long[] { 32, 28, 28 }, ShapeOf(summary, "inception3a.branch3.1.relu"), "the 5x5 branch");
        Assert.IsFalse(summary.Layers.Any(l => l.Name.StartsWith("aux", StringComparison.Ordinal)));
        Assert.AreEqual(CountParameters("googlenet", Spec(3, 224, 1000), name => name.StartsWith("aux", StringComparison.Ordinal)), summary.UnusedParameters);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AuxiliaryLossesAreAddedAtWeightPointThreeAfterATrainingForwardOnly()
    {
        using var network = ModelZoo.Create("googlenet", Spec(3, 32, 5));
        var auxiliary = (IAuxiliaryLoss)network;
        var target = tensor(new long[] { 0, 4 });
        var outputs = new List<long[]>();
        Tensor Criterion(Tensor output, Tensor expected)
        {
            outputs.Add(output.shape);
            return tensor(1f);
        }

        network.train();
        network.call(rand(2, 3, 32, 32));
        var loss = auxiliary.AuxiliaryLoss(target, Criterion);
        var again = auxiliary.AuxiliaryLoss(target, Criterion);
        network.eval();
        network.call(rand(2, 3, 32, 32));
        var atInference = auxiliary.AuxiliaryLoss(target, Criterion);

        Assert.AreEqual(0.3 * (1 + 1), loss!.item<float>(), 1e-6);
        Assert.HasCount(2, outputs);
        Assert.IsTrue(outputs.All(shape => shape.SequenceEqual(new long[] { 2, 5 })), "each head gives (batch, classes) logits");
        Assert.IsNull(again, "a forward pass's auxiliary loss is handed out once");
        Assert.IsNull(atInference);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SmallImagesKeepEveryInceptionStage()
    {
        var summary = ModelSummary.Create("googlenet", Spec(3, 32, 10));

        CollectionAssert.AreEqual(new long[] { 64, 32, 32 }, ShapeOf(summary, "conv1.relu"));
        CollectionAssert.AreEqual(new long[] { 192, 16, 16 }, ShapeOf(summary, "maxpool2"));
        CollectionAssert.AreEqual(new long[] { 480, 8, 8 }, ShapeOf(summary, "maxpool3"));
        CollectionAssert.AreEqual(new long[] { 832, 4, 4 }, ShapeOf(summary, "maxpool4"));
        var error = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("googlenet", Spec(3, 7, 10)));
        StringAssert.Contains(error.Message, "8x8");
    }
}
