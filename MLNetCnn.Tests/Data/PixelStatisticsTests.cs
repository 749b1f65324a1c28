using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data;

[TestClass]
public sealed class PixelStatisticsTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void MeanStdAndCovarianceMatchTheirDefinitions()
    {
        var shape = new ImageShape(2, 1, 3);
        var statistics = new PixelStatistics(2);
        statistics.Add([1, 2, 3, 2, 4, 6], shape);
        statistics.Add([5, 5, 5, 0, 0, 0], shape);

        // Channel 0 holds 1, 2, 3, 5, 5, 5; channel 1 holds 2, 4, 6, 0, 0, 0.
        Assert.AreEqual(6, statistics.PixelCount);
        CollectionAssert.AreEqual(new[] { 3.5, 2.0 }, statistics.Mean());
        var covariance = statistics.Covariance();
        Assert.AreEqual((6.25 + 2.25 + 0.25 + 3 * 2.25) / 6, covariance[0, 0], 1e-12);
        Assert.AreEqual((-2.5 * 0 + -1.5 * 2 + -0.5 * 4 + 3 * 1.5 * -2) / 6, covariance[0, 1], 1e-12);
        Assert.AreEqual(covariance[0, 1], covariance[1, 0]);
        Assert.AreEqual(Math.Sqrt(covariance[1, 1]), statistics.StandardDeviation()[1], 1e-12);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ImagesOfAnotherChannelCountAreRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new PixelStatistics(3).Add(new float[4], new ImageShape(1, 2, 2)));
        StringAssert.Contains(error.Message, "1x2x2");
    }
}
