using System.Buffers.Binary;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Cli.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Cli.Data;

[TestClass]
public sealed class DataSourceTests
{
    private static readonly ImageRequest Request = new(CnnColumnNames.Features, 12, 12, skipUnreadable: false);

    [TestCategory("Fast")]

    [TestMethod]
    public void RecognisesAFolderOfIdxFilesWithTrainAndTestSplits()
    {
        var folder = Path.Combine(TestFolders.Create(), "fashion-mnist");
        Directory.CreateDirectory(folder);
        foreach (var prefix in new[] { "train", "t10k" })
        {
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), Idx(0x0803, [3, 2, 2], new byte[12]));
            File.WriteAllBytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), Idx(0x0801, [3], [0, 9, 3]));
        }

        var source = DataSource.Open(folder);
        var labels = source.Load(new MLContext(), DataSplit.Test, Request).GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).ToArray();

        Assert.IsTrue(source.HasSplits);
        StringAssert.Contains(source.Description, "IDX");
        CollectionAssert.AreEqual(new[] { "T-shirt/top", "Ankle boot", "Dress" }, labels, "a Fashion-MNIST folder gets its class names");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RecognisesCifarFoldersAndSingleBatchesByTheirRecordSize()
    {
        var folder = TestFolders.Create();
        File.WriteAllBytes(Path.Combine(folder, "test.bin"), [.. MLNetCnn.Tests.Data.CifarTests.Record(CifarVariant.Cifar100, 42, seed: 1)]);
        string cifar10Batch = Path.Combine(TestFolders.Create(), "batch.bin");
        File.WriteAllBytes(cifar10Batch, [.. MLNetCnn.Tests.Data.CifarTests.Record(CifarVariant.Cifar10, 8, seed: 2)]);

        var cifar100 = DataSource.Open(folder);
        var batch = DataSource.Open(cifar10Batch);

        Assert.AreEqual("42", cifar100.Load(new MLContext(), DataSplit.Test, Request).GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).Single());
        Assert.IsFalse(batch.HasSplits);
        Assert.AreEqual("ship", batch.Load(new MLContext(), DataSplit.Train, Request).GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).Single());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AFolderWhoseSplitFoldersAreAmbiguousIsRefusedSayingHowToLayItOut()
    {
        foreach (var folders in new[] { new[] { "train", "test", "extra" }, ["train", "val"], ["train", "test", "val", "validation"] })
        {
            var folder = TestFolders.Create();
            foreach (var name in folders)
                ImageFiles.ClassFolder(Path.Combine(folder, name), classes: 2, perClass: 1);

            var error = Assert.ThrowsExactly<InvalidDataException>(() => DataSource.Open(folder), string.Join(",", folders));

            StringAssert.Contains(error.Message, folder);
            StringAssert.Contains(error.Message, "train/ and test/ (and optionally val/ or validation/)");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnImageFolderWithTrainAndTestFoldersHasSplits()
    {
        var folder = TestFolders.Create();
        ImageFiles.ClassFolder(Path.Combine(folder, "train"), classes: 2, perClass: 2);
        ImageFiles.ClassFolder(Path.Combine(folder, "test"), classes: 2, perClass: 1);

        var source = DataSource.Open(folder);

        Assert.IsTrue(source.HasSplits);
        Assert.IsTrue(source.IsImageFiles);
        Assert.AreEqual(2L, source.Load(new MLContext(), DataSplit.Test, Request).GetColumn<ReadOnlyMemory<char>>("Label").Select(l => l.ToString()).LongCount());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ABatchFileOfNeitherCifarIsRejected()
    {
        string file = Path.Combine(TestFolders.Create(), "odd.bin");
        File.WriteAllBytes(file, new byte[100]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => DataSource.Open(file));
        StringAssert.Contains(error.Message, file);
    }

    private static byte[] Idx(int magic, int[] dimensions, byte[] values)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + values.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        values.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }
}
