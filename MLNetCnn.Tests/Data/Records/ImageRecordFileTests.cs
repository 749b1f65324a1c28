using MLNetCnn.Data;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Data.Records;

[TestClass]
public sealed class ImageRecordFileTests
{
    private static readonly ImageDataset Whole = Rounded(SyntheticImages.Bars(40, classCount: 4, size: 6, channels: 3, seed: 2));

    [TestCategory("Fast")]

    [TestMethod]
    public void WholePixelValuesAreStoredAsBytesAndReadBackAsTheSameFloats()
    {
        string path = Path.Combine(TestFolders.Create(), "images.cache");
        using var file = Write(path, "source-1", Whole);
        using var scope = NewDisposeScope();

        var (images, labels) = file.ReadBatch(epoch: 1, [7, 0, 39]);

        Assert.AreEqual(ImageRecordStorage.Bytes, file.Storage);
        Assert.AreEqual(Whole.Count, file.Count);
        long records = Whole.Count * (sizeof(int) + Whole.Shape.Size);
        Assert.IsInRange(records, records + 4096, new FileInfo(path).Length, "a byte per value, a label per record and a small header");
        Assert.AreEqual(ScalarType.Float32, images.dtype);
        CollectionAssert.AreEqual(new long[] { 3, 3, 6, 6 }, images.shape);
        CollectionAssert.AreEqual((float[])[.. Whole.Image(7), .. Whole.Image(0), .. Whole.Image(39)], images.data<float>().ToArray());
        CollectionAssert.AreEqual(new long[] { Whole.Labels[7], Whole.Labels[0], Whole.Labels[39] }, labels.data<long>().ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(0, 4).Select(c => (long)Whole.Labels.Count(l => l == c)).ToArray(), file.ClassCounts.ToArray());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ReadingAFileLargerThanTheReleaseStepDoesNotKeepItsPagesResident()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("Resident file pages are read from /proc on Linux.");
        var shape = new ImageShape(3, 128, 128);
        long rows = 2 * ImageRecordFile.ReleaseBytes / shape.Size;
        string path = Path.Combine(TestFolders.Create(), "large.cache");
        using (var writer = new ImageRecordWriter(path, "large", shape, classCount: 2))
        {
            var image = new float[shape.Size];
            for (long row = 0; row < rows; row++)
            {
                image[row % image.Length] = row % 256;
                writer.Add(image, (int)(row % 2));
            }
            writer.Complete().Dispose();
        }
        using var file = ImageRecordFile.TryOpen(path, "large", out _)!;
        var batch = Enumerable.Range(0, 64).Select(i => (long)i).ToArray();
        using (NewDisposeScope())
            file.ReadBatch(1, batch);
        long before = ResidentFilePages();

        for (long start = 0; start + batch.Length <= rows; start += batch.Length)
        {
            for (int i = 0; i < batch.Length; i++)
                batch[i] = start + i;
            using (NewDisposeScope())
                file.ReadBatch(1, batch);
        }

        long grown = ResidentFilePages() - before;
        Assert.IsLessThan(ImageRecordFile.ReleaseBytes * 5 / 4, grown,
            $"read {rows * shape.Size / 1e6:F0} MB of records; the file-backed resident set grew {grown / 1e6:F0} MB");
    }

    private static long ResidentFilePages() => ProcessStatus.Bytes("RssFile");

    [TestCategory("Fast")]

    [TestMethod]
    public void AFractionalValueMidwayTurnsTheFileIntoFloatsAndKeepsEveryRow()
    {
        var pixels = (float[])Whole.Pixels.Clone();
        pixels[25 * Whole.Shape.Size + 3] = 0.5f;
        var mixed = new ImageDataset(Whole.Shape, pixels, Whole.Labels, Whole.ClassCount);
        using var file = Write(Path.Combine(TestFolders.Create(), "images.cache"), "source-1", mixed);
        var image = new float[mixed.Shape.Size];

        Assert.AreEqual(ImageRecordStorage.Floats, file.Storage);
        for (int row = 0; row < mixed.Count; row++)
        {
            file.ReadImage(row, image);
            CollectionAssert.AreEqual(mixed.Image(row).ToArray(), image, $"row {row}");
            Assert.AreEqual(mixed.Labels[row], file.Label(row));
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheStatisticsOfTheFirstPassAreThoseOfTheData()
    {
        using var file = Write(Path.Combine(TestFolders.Create(), "images.cache"), "source-1", Whole);
        var expected = MLNetCnn.Data.InputNormalization.FromData(Whole);

        var actual = file.Normalization;

        for (int c = 0; c < 3; c++)
        {
            Assert.AreEqual(expected.Mean[c], actual.Mean[c], 1e-3);
            Assert.AreEqual(expected.Std[c], actual.Std[c], 1e-3);
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AFileOfTheSameSourceIsReopenedAndAnyOtherIsRefused()
    {
        string path = Path.Combine(TestFolders.Create(), "images.cache");
        Write(path, "source-1", Whole).Dispose();

        using (var same = ImageRecordFile.TryOpen(path, "source-1", out _))
            Assert.IsNotNull(same);
        Assert.IsNull(ImageRecordFile.TryOpen(path, "source-2", out string reason));
        StringAssert.Contains(reason, "another source");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ATruncatedFileIsRefused()
    {
        string path = Path.Combine(TestFolders.Create(), "images.cache");
        Write(path, "source-1", Whole).Dispose();
        using (var stream = new FileStream(path, FileMode.Open))
            stream.SetLength(stream.Length - 10);

        Assert.IsNull(ImageRecordFile.TryOpen(path, "source-1", out string reason));
        StringAssert.Contains(reason, "truncated");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AFileWhoseRecordsChangedIsRefused()
    {
        string path = Path.Combine(TestFolders.Create(), "images.cache");
        Write(path, "source-1", Whole).Dispose();
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.Position = stream.Length - 5;
            int value = stream.ReadByte();
            stream.Position = stream.Length - 5;
            stream.WriteByte((byte)(value ^ 0x10));
        }

        Assert.IsNull(ImageRecordFile.TryOpen(path, "source-1", out string reason));
        StringAssert.Contains(reason, "checksum");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnAbandonedPassLeavesNoFile()
    {
        string folder = TestFolders.Create();
        string path = Path.Combine(folder, "images.cache");
        using (var writer = new ImageRecordWriter(path, "source-1", Whole.Shape, Whole.ClassCount))
        {
            for (int row = 0; row < 10; row++)
                writer.Add(Whole.Image(row), Whole.Labels[row]);
        }

        Assert.IsEmpty(Directory.GetFiles(folder));
        Assert.IsNull(ImageRecordFile.TryOpen(path, "source-1", out _));
    }

    internal static ImageRecordFile Write(string path, string fingerprint, ImageDataset data)
    {
        using var writer = new ImageRecordWriter(path, fingerprint, data.Shape, data.ClassCount);
        for (int row = 0; row < data.Count; row++)
            writer.Add(data.Image(row), data.Labels[row]);
        return writer.Complete();
    }

    private static ImageDataset Rounded(ImageDataset data) =>
        new(data.Shape, Array.ConvertAll(data.Pixels, v => Math.Clamp(MathF.Round(v), 0, 255)), data.Labels, data.ClassCount);
}
