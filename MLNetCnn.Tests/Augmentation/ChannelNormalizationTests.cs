using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class ChannelNormalizationTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void SubtractsTheMeanAndDividesByTheStdOfEachChannel()
    {
        var shape = new ImageShape(2, 1, 3);
        var normalization = new ChannelNormalization(new InputNormalization([1, 10], [2, 5]));

        var result = SyntheticImages.Apply(normalization, [1, 3, 5, 10, 20, 30], shape, row: 0);

        CollectionAssert.AreEqual(new float[] { 0, 1, 2, 0, 2, 4 }, result);
        Assert.IsFalse(normalization.IsRandom);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AChannelCountThatDoesNotMatchIsRejected()
    {
        var normalization = new ChannelNormalization(new InputNormalization([1, 2, 3], [1, 1, 1]));
        var error = Assert.ThrowsExactly<ArgumentException>(() => normalization.OutputShape(new ImageShape(1, 8, 8)));
        StringAssert.Contains(error.Message, "1x8x8");
    }
}
