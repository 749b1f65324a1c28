using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Tests.Data.Records;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class AugmentedEpochDataTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void EveryEpochDrawsAfreshAndTheSameEpochRepeatsItsDraws()
    {
        var images = SyntheticImages.Bars(16, size: 12);
        using var file = ImageRecordFileTests.Write(Path.Combine(TestFolders.Create(), "bars.cache"), "bars", images);
        using var augmented = new AugmentedEpochData(file, [new SeededImageOperation(new RandomCrop(8, 8), Seed: 3)]);
        using var scope = NewDisposeScope();
        long[] rows = [.. Enumerable.Range(0, 16).Select(i => (long)i)];
        float[] Epoch(int epoch) => augmented.ReadBatch(epoch, rows).Images.data<float>().ToArray();

        var first = Epoch(1);

        Assert.AreEqual(new ImageShape(1, 8, 8), augmented.Shape);
        CollectionAssert.AreEqual(first, Epoch(1), "the same epoch gives the same draws");
        CollectionAssert.AreNotEqual(first, Epoch(2), "another epoch draws afresh");
        CollectionAssert.AreEqual(Epoch(0), Epoch(0), "evaluation's draws never change");
        CollectionAssert.AreEqual(images.Labels.Select(l => (long)l).ToArray(), augmented.ReadBatch(2, rows).Labels.data<long>().ToArray());
    }
}
