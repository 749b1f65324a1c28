using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

/// <summary>The order the trainer reads its rows in: every row once per epoch, a fresh order every epoch, the same orders for the same
/// seed.</summary>
[TestClass]
public sealed class EpochOrderTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(100, seed: 1);

    [TestCategory("Fast")]

    [TestMethod]
    public void EveryEpochReadsEveryRowExactlyOnceInAFreshOrder()
    {
        var orders = Orders(seed: 3, epochs: 3);

        Assert.HasCount(3, orders);
        foreach (var (epoch, rows) in orders)
            CollectionAssert.AreEquivalent(Enumerable.Range(0, Train.Count).Select(i => (long)i).ToArray(), rows, $"epoch {epoch} read every row once");
        CollectionAssert.AreNotEqual(orders[1], orders[2]);
        CollectionAssert.AreNotEqual(orders[2], orders[3]);
        CollectionAssert.AreNotEqual(Enumerable.Range(0, Train.Count).Select(i => (long)i).ToArray(), orders[1], "the first epoch is shuffled too");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheSameSeedReadsTheSameOrdersAndAnotherSeedOthers()
    {
        var first = Orders(seed: 3, epochs: 2);
        var again = Orders(seed: 3, epochs: 2);
        var other = Orders(seed: 4, epochs: 2);

        foreach (int epoch in new[] { 1, 2 })
        {
            CollectionAssert.AreEqual(first[epoch], again[epoch], $"epoch {epoch}");
            CollectionAssert.AreNotEqual(first[epoch], other[epoch], $"epoch {epoch}");
        }
    }

    private static Dictionary<int, long[]> Orders(int seed, int epochs)
    {
        var recording = new RecordingEpochData(Train);
        using var model = TinyNetwork.Create(Train, seed: 1);
        new ClassifierTrainer(new TrainingOptions { Epochs = epochs, BatchSize = 16, Seed = seed }).Train(model, recording);
        return recording.Rows.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }
}
