using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data;

[TestClass]
public sealed class ImageDatasetTests
{
    [TestMethod]
    public void RejectsPixelsThatDoNotMatchTheShapeAndLabelsOutOfRange()
    {
        var shape = new ImageShape(1, 2, 2);
        Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset(shape, new float[7], [0, 1], 2));
        var error = Assert.ThrowsExactly<ArgumentException>(() => new ImageDataset(shape, new float[8], [0, 2], 2));
        StringAssert.Contains(error.Message, "image 1");
    }
}
