using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data;

[TestClass]
public sealed class FashionMnistTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow(DataSplit.Train, 600)]
    [DataRow(DataSplit.Test, 100)]
    public void EmbeddedSubsetIsClassBalancedGreyTwentyEightSquare(DataSplit split, int perClass)
    {
        var data = FashionMnist.LoadEmbedded(split);

        Assert.AreEqual(new ImageShape(1, 28, 28), data.Shape);
        Assert.AreEqual(10, data.ClassCount);
        Assert.AreEqual(10 * perClass, data.Count);
        foreach (var group in data.Labels.GroupBy(l => l))
            Assert.AreEqual(perClass, group.Count(), $"class {group.Key}");
        Assert.IsTrue(data.Pixels.Max() > 200 && data.Pixels.Min() == 0, "pixels span the byte range");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void LoadsAFolderOfIdxFiles()
    {
        var folder = TestFolders.Create();
        IdxReaderTests.Write(Path.Combine(folder, "t10k-images-idx3-ubyte"), IdxReaderTests.ImageFile(2, 28, 28, 0), gzip: true);
        IdxReaderTests.Write(Path.Combine(folder, "t10k-labels-idx1-ubyte"), IdxReaderTests.LabelFile([9, 3]), gzip: false);

        var data = FashionMnist.Load(folder, DataSplit.Test);

        Assert.AreEqual(2, data.Count);
        Assert.AreEqual(10, data.ClassCount);
        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => FashionMnist.Load(folder, DataSplit.Train));
        StringAssert.Contains(missing.Message, "train-images-idx3-ubyte");
    }
}
