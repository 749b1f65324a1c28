using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data;

[TestClass]
public sealed class ImageDatasetTests
{
    [TestMethod]
    public void StratifiedHoldoutKeepsClassProportionsAndPartitionsTheRows()
    {
        var data = SyntheticImages.Bars(100, classCount: 4);

        var (train, holdout) = data.StratifiedHoldout(0.2, seed: 3);

        CollectionAssert.AreEquivalent(Enumerable.Range(0, 100).ToArray(), train.Concat(holdout).ToArray());
        foreach (var group in holdout.GroupBy(i => data.Labels[i]))
            Assert.AreEqual(5, group.Count(), $"class {group.Key}");
        CollectionAssert.AreEqual(holdout, data.StratifiedHoldout(0.2, seed: 3).Holdout, "the same seed gives the same split");
    }

    [TestMethod]
    public void RejectsPixelsThatDoNotMatchTheShapeAndLabelsOutOfRange()
    {
        var shape = new ImageShape(1, 2, 2);
        Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset(shape, new float[7], [0, 1], 2));
        var error = Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset(shape, new float[8], [0, 2], 2));
        StringAssert.Contains(error.Message, "image 1");
    }
}
