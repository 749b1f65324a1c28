using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Runtime;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class ImageOperationTests
{
    private static readonly ImageShape Shape = new(3, 12, 10);

    public static IEnumerable<object[]> Operations() =>
    [
        [new RandomCrop(8, 9, padding: 2)],
        [new RandomFlip(FlipAxis.Vertical, 0.7)],
        [new RandomResizedCrop(6, 5, 0.3, 0.9, 0.5, 1.5)],
        [new RandomAffine(20, 0.1, 0.8, 1.2, 10)],
        [new ColorJitter(0.3, 0.4, 0.5)],
        [new PcaLighting(0.2, [5, 2, 1], [0.6f, 0.6f, 0.52f, 0.7f, 0, -0.7f, 0.4f, -0.8f, 0.4f])],
        [new RandomErasing(0.9, 0.1, 0.3, 0.5, 2, fillValue: 7, randomFill: true)],
        [new ChannelNormalization(new InputNormalization([1, 2, 3], [4, 5, 6]))],
    ];

    [TestCategory("Fast")]

    [TestMethod]
    [DynamicData(nameof(Operations))]
    public void SavedOperationsLoadWithTheirParametersAndGiveTheSameImages(ImageOperation operation)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            operation.Save(writer);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);

        var loaded = ImageOperation.Load(reader);

        Assert.AreEqual(operation.GetType(), loaded.GetType());
        Assert.AreEqual(stream.Length, stream.Position, "everything written is read back");
        var image = SyntheticImages.Indexed(Shape);
        for (int row = 0; row < 20; row++)
            CollectionAssert.AreEqual(SyntheticImages.Apply(operation, image, Shape, row), SyntheticImages.Apply(loaded, image, Shape, row));
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DynamicData(nameof(Operations))]
    public void TheSameRowStreamGivesTheSameImageAndOtherPassesDiffer(ImageOperation operation)
    {
        var image = SyntheticImages.Indexed(Shape);
        var size = operation.OutputShape(Shape).Size;
        float[] Run(long pass, long row)
        {
            var result = new float[size];
            var random = AugmentationRandom.ForRow(seed: 9, pass, row);
            operation.Apply(image, Shape, result, ref random);
            return result;
        }

        CollectionAssert.AreEqual(Run(pass: 2, row: 5), Run(pass: 2, row: 5));
        bool anyDiffers = Enumerable.Range(0, 10).Any(row => !Run(0, row).SequenceEqual(Run(1, row)));
        Assert.AreEqual(operation.IsRandom, anyDiffers);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnUnknownOrCorruptOperationIsAnInvalidDataError()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("RandomCrop");
            writer.Write(-3);
            writer.Write(4);
            writer.Write(0);
            writer.Write("Teleport");
        }
        stream.Position = 0;
        using var reader = new BinaryReader(stream);

        var corrupt = Assert.ThrowsExactly<InvalidDataException>(() => ImageOperation.Load(reader));
        StringAssert.Contains(corrupt.Message, "RandomCrop");
        var unknown = Assert.ThrowsExactly<InvalidDataException>(() => ImageOperation.Load(reader));
        StringAssert.Contains(unknown.Message, "Teleport");
    }
}
