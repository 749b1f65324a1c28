using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data;

[TestClass]
public sealed class ImageDatasetTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void SelectCopiesTheChosenImagesInTheirOrder()
    {
        var data = SyntheticImages.Bars(10, classCount: 4);

        var chosen = data.Select([7, 2, 7]);

        Assert.AreEqual(3, chosen.Count);
        CollectionAssert.AreEqual(new[] { data.Labels[7], data.Labels[2], data.Labels[7] }, chosen.Labels);
        CollectionAssert.AreEqual(data.Image(2).ToArray(), chosen.Image(1).ToArray());
        CollectionAssert.AreEqual(data.Image(7).ToArray(), chosen.Image(2).ToArray());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RejectsPixelsThatDoNotMatchTheShapeAndLabelsOutOfRange()
    {
        var shape = new ImageShape(1, 2, 2);
        Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset(shape, new float[7], [0, 1], 2));
        var error = Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset(shape, new float[8], [0, 2], 2));
        StringAssert.Contains(error.Message, "image 1");
    }
}
