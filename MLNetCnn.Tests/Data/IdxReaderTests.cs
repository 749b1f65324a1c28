using System.Buffers.Binary;
using System.IO.Compression;
using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data;

[TestClass]
public sealed class IdxReaderTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ReadsImagesAndLabelsPlainOrGzipped(bool gzip)
    {
        var folder = TestFolders.Create();
        string images = Write(Path.Combine(folder, "images"), ImageFile(count: 3, rows: 2, cols: 3, first: 10), gzip);
        string labels = Write(Path.Combine(folder, "labels"), LabelFile([2, 0, 1]), gzip);

        var data = IdxReader.ReadDataset(images, labels);

        Assert.AreEqual(new ImageShape(1, 2, 3), data.Shape);
        Assert.AreEqual(3, data.Count);
        Assert.AreEqual(3, data.ClassCount);
        CollectionAssert.AreEqual(new[] { 2, 0, 1 }, data.Labels);
        CollectionAssert.AreEqual(new float[] { 16, 17, 18, 19, 20, 21 }, data.Image(1).ToArray());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RejectsAWrongMagicNumberNamingTheFile()
    {
        var folder = TestFolders.Create();
        string labels = Write(Path.Combine(folder, "labels"), LabelFile(new byte[20]), gzip: false);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadDataset(labels, labels));
        StringAssert.Contains(error.Message, labels);
        StringAssert.Contains(error.Message, "magic");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RejectsATruncatedFileNamingIt()
    {
        var folder = TestFolders.Create();
        var bytes = ImageFile(count: 4, rows: 5, cols: 5, first: 0);
        string images = Write(Path.Combine(folder, "images"), bytes[..^7], gzip: true);
        string labels = Write(Path.Combine(folder, "labels"), LabelFile([0, 1, 0, 1]), gzip: false);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadDataset(images, labels));
        StringAssert.Contains(error.Message, "truncated");
        StringAssert.Contains(error.Message, images);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RejectsImageAndLabelCountsThatDisagree()
    {
        var folder = TestFolders.Create();
        string images = Write(Path.Combine(folder, "images"), ImageFile(count: 2, rows: 2, cols: 2, first: 0), gzip: false);
        string labels = Write(Path.Combine(folder, "labels"), LabelFile([0, 1, 1]), gzip: false);
        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadDataset(images, labels));
        StringAssert.Contains(error.Message, "2 images");
        StringAssert.Contains(error.Message, "3 labels");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RejectsAHeaderClaimingHugeImagesNamingTheFile()
    {
        var folder = TestFolders.Create();
        var header = ImageFile(count: 1, rows: 1, cols: 1, first: 0);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 65535);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), 65535);
        string images = Write(Path.Combine(folder, "images"), header, gzip: false);
        string labels = Write(Path.Combine(folder, "labels"), LabelFile([0]), gzip: false);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadDataset(images, labels));

        StringAssert.Contains(error.Message, images);
        StringAssert.Contains(error.Message, "65535x65535");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RejectsALabelOutsideTheClassesNamingTheFile()
    {
        var folder = TestFolders.Create();
        string images = Write(Path.Combine(folder, "images"), ImageFile(count: 2, rows: 2, cols: 2, first: 0), gzip: false);
        string labels = Write(Path.Combine(folder, "labels"), LabelFile([1, 200]), gzip: false);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, classCount: 10));

        StringAssert.Contains(error.Message, labels);
        StringAssert.Contains(error.Message, "200");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void NamesAMissingFile()
    {
        string missing = Path.Combine(TestFolders.Create(), "nope-images-idx3-ubyte");
        var error = Assert.ThrowsExactly<FileNotFoundException>(() => IdxReader.ReadDataset(missing, missing));
        StringAssert.Contains(error.Message, missing);
    }

    internal static byte[] ImageFile(int count, int rows, int cols, int first)
    {
        var bytes = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 16; i < bytes.Length; i++)
            bytes[i] = (byte)(first + i - 16);
        return bytes;
    }

    internal static byte[] LabelFile(byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    internal static string Write(string path, byte[] content, bool gzip)
    {
        if (gzip)
        {
            path += ".gz";
            using var file = File.Create(path);
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(content);
        }
        else
        {
            File.WriteAllBytes(path, content);
        }
        return path;
    }
}
