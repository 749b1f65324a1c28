using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class WeightedEpochDataTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(64, seed: 1);

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void EachBatchCarriesTheWeightsOfItsRows(bool prefetch)
    {
        var weighted = new WeightedEpochData(Train, [.. Train.Labels.Select(l => l + 1f)]);
        var order = new ShuffledOrder(Train.Count, seed: 4, stream: 1);
        using var batches = new EpochBatches(weighted, order, epoch: 1, batchSize: 16, firstStep: 0, prefetch, pinMemory: false);
        int batchCount = 0;
        while (true)
        {
            using var scope = NewDisposeScope();
            if (!batches.TryTake(scope, out _, out var labels, out var weights))
                break;
            batchCount++;
            CollectionAssert.AreEqual(labels.data<long>().Select(l => l + 1f).ToArray(), weights!.data<float>().ToArray());
        }
        Assert.AreEqual(4, batchCount);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void WeightsThatAreNotOnePerRowOrNotZeroOrPositiveAreRefusedNamingTheRow()
    {
        var weights = Enumerable.Repeat(1f, Train.Count).ToArray();
        weights[5] = -1;

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new WeightedEpochData(Train, weights)).Message, "Row 5 has example weight -1");
        weights[5] = float.NaN;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new WeightedEpochData(Train, weights)).Message, "Row 5");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new WeightedEpochData(Train, [1, 2])).Message, "2 example weights were given for 64 rows");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RowsOfWeightZeroAreNotLearnt()
    {
        using var model = CnnModel.Create("lenet5", new ModelSpec(Train.Shape, Train.ClassCount), InputNormalization.FromData(Train), CPU, seed: 1);
        var weighted = new WeightedEpochData(Train, [.. Train.Labels.Select(l => l == 0 ? 0f : 1f)]);

        new ClassifierTrainer(new TrainingOptions { Epochs = 6, BatchSize = 16, Seed = 1 }).Train(model, weighted);

        var predicted = ImbalancedTrainingTesting.Predictions(model, Train);
        Assert.AreEqual(0, predicted.Count(p => p == 0), "no image is predicted as the class whose rows weigh 0");
        int othersRight = Enumerable.Range(0, Train.Count).Count(i => Train.Labels[i] != 0 && predicted[i] == Train.Labels[i]);
        Assert.IsGreaterThan(0.6 * 48, othersRight, "the other classes are learnt");
    }
}
