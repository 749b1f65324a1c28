using MLNetCnn.Layers;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Layers;

[TestClass]
public sealed class InceptionBlockTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ConcatenatesTheFourBranchesAtTheInputsSize()
    {
        // Inception 3a of Szegedy et al. (2015), table 1.
        using var block = new InceptionBlock(192, 64, 96, 128, 16, 32, 32);

        var output = block.call(rand(2, 192, 7, 7));

        CollectionAssert.AreEqual(new long[] { 2, 256, 7, 7 }, output.shape);
        Assert.AreEqual(256L, block.OutChannels);
        Assert.IsTrue(output.ge(0).all().item<bool>(), "every branch ends in a ReLU");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void HasThePapersFiveByFiveBranchAndParameters()
    {
        using var block = new InceptionBlock(192, 64, 96, 128, 16, 32, 32);
        var parameters = block.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);

        CollectionAssert.AreEqual(new long[] { 32, 16, 5, 5 }, parameters["branch3.1.conv.weight"]);
        CollectionAssert.AreEqual(new long[] { 32, 192, 1, 1 }, parameters["branch4.1.conv.weight"]);
        long expected = (192 * 64 + 64) + (192 * 96 + 96) + (96 * 9 * 128 + 128) + (192 * 16 + 16) + (16 * 25 * 32 + 32) + (192 * 32 + 32);
        Assert.AreEqual(expected, block.parameters().Sum(p => p.numel()));
    }
}
