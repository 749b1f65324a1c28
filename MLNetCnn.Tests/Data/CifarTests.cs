using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data;

[TestClass]
public sealed class CifarTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ReadsCifar10RecordsAsLabelledColourImagesInChwOrder()
    {
        string file = Path.Combine(TestFolders.Create(), "data_batch_1.bin");
        File.WriteAllBytes(file, [.. Record(CifarVariant.Cifar10, 7, seed: 1), .. Record(CifarVariant.Cifar10, 2, seed: 2)]);

        var data = Cifar.ReadBatch(file, CifarVariant.Cifar10);

        Assert.AreEqual(new ImageShape(3, 32, 32), data.Shape);
        Assert.AreEqual(10, data.ClassCount);
        CollectionAssert.AreEqual(new[] { 7, 2 }, data.Labels);
        var pixels = Record(CifarVariant.Cifar10, 2, seed: 2)[1..];
        Assert.AreEqual(pixels[0], data.Image(1)[0], "first red value");
        Assert.AreEqual(pixels[1024 + 33], data.Image(1)[1024 + 33], "green, row 1, column 1");
        Assert.AreEqual(pixels[^1], data.Image(1)[^1], "last blue value");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ReadsCifar100WithItsFineLabels()
    {
        var stream = new MemoryStream([.. Record(CifarVariant.Cifar100, 99, seed: 3, coarse: 19), .. Record(CifarVariant.Cifar100, 0, seed: 4, coarse: 5)]);

        var data = Cifar.ReadBatch(stream, "train.bin", CifarVariant.Cifar100);

        Assert.AreEqual(100, data.ClassCount);
        CollectionAssert.AreEqual(new[] { 99, 0 }, data.Labels);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void LoadsEveryTrainingBatchOfAFolderInOrderWithTheClassNamesOfItsMetaFile()
    {
        var folder = TestFolders.Create();
        File.WriteAllBytes(Path.Combine(folder, "data_batch_1.bin"), Record(CifarVariant.Cifar10, 1, seed: 1));
        File.WriteAllBytes(Path.Combine(folder, "data_batch_2.bin"), [.. Record(CifarVariant.Cifar10, 2, seed: 2), .. Record(CifarVariant.Cifar10, 3, seed: 3)]);
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), Record(CifarVariant.Cifar10, 9, seed: 4));
        File.WriteAllLines(Path.Combine(folder, "batches.meta.txt"), [.. Enumerable.Range(0, 10).Select(i => $"class{i}"), ""]);

        var train = Cifar.Load(folder, CifarVariant.Cifar10, DataSplit.Train);
        var test = Cifar.Load(folder, CifarVariant.Cifar10, DataSplit.Test);

        Assert.AreEqual(CifarVariant.Cifar10, Cifar.Detect(folder));
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, train.Labels);
        CollectionAssert.AreEqual(new[] { 9 }, test.Labels);
        Assert.AreEqual("class9", Cifar.ClassNames(folder, CifarVariant.Cifar10)[9]);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void APartialRecordIsRejectedNamingTheFile()
    {
        string file = Path.Combine(TestFolders.Create(), "test_batch.bin");
        File.WriteAllBytes(file, Record(CifarVariant.Cifar10, 1, seed: 1)[..^5]);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => Cifar.ReadBatch(file, CifarVariant.Cifar10));

        StringAssert.Contains(error.Message, file);
        StringAssert.Contains(error.Message, "3073-byte");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ALabelOutOfRangeIsRejectedNamingTheFileAndRecord()
    {
        string file = Path.Combine(TestFolders.Create(), "test_batch.bin");
        File.WriteAllBytes(file, [.. Record(CifarVariant.Cifar10, 1, seed: 1), .. Record(CifarVariant.Cifar10, 12, seed: 2)]);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => Cifar.ReadBatch(file, CifarVariant.Cifar10));

        StringAssert.Contains(error.Message, "Record 1");
        StringAssert.Contains(error.Message, file);
        StringAssert.Contains(error.Message, "label 12");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void MissingFilesAndFoldersAreNamed()
    {
        var folder = TestFolders.Create();
        var noBatch = Assert.ThrowsExactly<FileNotFoundException>(() => Cifar.Load(folder, CifarVariant.Cifar100, DataSplit.Test));
        StringAssert.Contains(noBatch.Message, "test.bin");
        string missing = Path.Combine(folder, "nothing");
        var noFolder = Assert.ThrowsExactly<DirectoryNotFoundException>(() => Cifar.Load(missing, CifarVariant.Cifar10, DataSplit.Train));
        StringAssert.Contains(noFolder.Message, missing);
        Assert.IsNull(Cifar.Detect(folder));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AMetaFileWithTheWrongNumberOfNamesIsRejected()
    {
        var folder = TestFolders.Create();
        File.WriteAllLines(Path.Combine(folder, "fine_label_names.txt"), ["apple", "bee"]);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => Cifar.ClassNames(folder, CifarVariant.Cifar100));
        StringAssert.Contains(error.Message, "fine_label_names.txt");
    }

    /// <summary>One binary record: label byte(s), then 3,072 pixel bytes drawn from <paramref name="seed"/>.</summary>
    internal static byte[] Record(CifarVariant variant, int label, int seed, int coarse = 0)
    {
        var pixels = new byte[3072];
        new Random(seed).NextBytes(pixels);
        byte[] labels = variant == CifarVariant.Cifar10 ? [(byte)label] : [(byte)coarse, (byte)label];
        return [.. labels, .. pixels];
    }
}
