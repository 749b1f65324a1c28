using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class LossDivergenceTests
{
    [TestMethod]
    public void AnEpochLossHalfAgainAboveTheFirstEpochsIsDivergingAndNamesBothEpochs()
    {
        var divergence = LossDivergence.Detect(Epochs(2.0, 1.2, 3.1, 3.5));

        Assert.IsNotNull(divergence);
        Assert.AreEqual(3, divergence.Epoch, "the first epoch that shows it, not the last");
        StringAssert.Contains(divergence.Reason, "from 2.0000 in epoch 1 to 3.1000 in epoch 3");
        StringAssert.Contains(divergence.ToString(), "lr-find");
    }

    [TestMethod]
    public void ThreeRisesInARowAreDivergingButTwoAreNot()
    {
        Assert.IsNull(LossDivergence.Detect(Epochs(2.0, 1.0, 1.1, 1.2)));
        var divergence = LossDivergence.Detect(Epochs(2.0, 1.0, 1.1, 1.2, 1.3));

        Assert.IsNotNull(divergence);
        Assert.AreEqual(5, divergence.Epoch);
        StringAssert.Contains(divergence.Reason, "each of the last 3 epochs");
    }

    [TestMethod]
    public void AFallingLossWithNoiseIsNotDiverging()
    {
        Assert.IsNull(LossDivergence.Detect(Epochs(2.3, 1.1, 1.2, 0.9, 0.95, 0.7, 0.72, 0.6)));
        Assert.IsNull(LossDivergence.Detect(Epochs(2.3)));
        Assert.IsNull(LossDivergence.Detect([]));
    }

    [TestMethod]
    public void ARisingTrainingLossIsReportedOnceAndInTheHistoryWithoutEndingTheRun()
    {
        using var model = NewModel();
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 4, BatchSize = 32, Seed = 3, LearningRate = 0.01 });
        var reported = new List<LossDivergence>();
        trainer.Diverging += reported.Add;

        var history = trainer.Train(model, new LabelsTurnRandomAfterEpochOne(Data));

        Assert.AreEqual(TrainingOutcome.Completed, history.Outcome);
        Assert.HasCount(4, history);
        Assert.HasCount(1, reported);
        Assert.AreEqual(2, reported[0].Epoch);
        Assert.AreEqual(reported[0], history.Divergence);
        StringAssert.Contains(history.ToString(), "diverging");
    }

    [TestMethod]
    public void WithEarlyStoppingADivergingRunStopsWithTheBestEpochsWeights()
    {
        using var model = NewModel();
        var trainer = new ClassifierTrainer(new TrainingOptions
        {
            Epochs = 6, BatchSize = 32, Seed = 3, LearningRate = 0.01,
            EarlyStopping = new EarlyStoppingOptions { Metric = TrainingMetric.TrainLoss, Patience = 10 },
        });

        var history = trainer.Train(model, new LabelsTurnRandomAfterEpochOne(Data));

        Assert.AreEqual(TrainingOutcome.Diverged, history.Outcome);
        Assert.HasCount(2, history);
        Assert.AreEqual(1, history.RestoredEpoch);
        StringAssert.Contains(history.ToString(), "stopped after epoch 2, diverging");
    }

    private static readonly ImageDataset Data = SyntheticImages.Bars(1024, seed: 1);

    private static CnnModel NewModel() =>
        CnnModel.Create("lenet5", new ModelSpec(Data.Shape, Data.ClassCount), InputNormalization.FromData(Data), CPU, seed: 3);

    private static EpochReport[] Epochs(params double[] losses) =>
        [.. losses.Select((loss, i) => new EpochReport(i + 1, losses.Length, loss, 0.5, null, null, 1e-3, 100, TimeSpan.FromSeconds(i + 1)))];

    // The bars are learnt in epoch 1; from epoch 2 on every label is drawn at random, so no network can get the mean
    // cross-entropy below ln 4 (1.39), well over 1.5 times the first epoch's mean on the learnable labels.
    private sealed class LabelsTurnRandomAfterEpochOne(ImageDataset data) : IEpochData
    {
        public ImageShape Shape => data.Shape;

        public int ClassCount => data.ClassCount;

        public long Count => data.Count;

        public (Tensor Images, Tensor Labels) ReadBatch(int epoch, ReadOnlySpan<long> rows)
        {
            var (images, labels) = ((IEpochData)data).ReadBatch(epoch, rows);
            if (epoch < 2)
                return (images, labels);
            var random = new Random(epoch * 7919 + (int)rows[0]);
            return (images, tensor(Enumerable.Range(0, rows.Length).Select(_ => (long)random.Next(ClassCount)).ToArray()));
        }
    }
}
