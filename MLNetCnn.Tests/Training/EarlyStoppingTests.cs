using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class EarlyStoppingTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(64, seed: 1);
    private static readonly ImageDataset Validation = SyntheticImages.Bars(32, seed: 2);

    [TestMethod]
    public void StopsAfterPatienceEpochsWithoutImprovementAndRestoresTheBestEpoch()
    {
        using var model = NewModel();
        // No later epoch can beat the first by 100, so epoch 1 stays the best and every later one counts against the patience.
        var trainer = new ClassifierTrainer(new TrainingOptions
        {
            Epochs = 10, BatchSize = 16, Seed = 3,
            EarlyStopping = new EarlyStoppingOptions { Metric = TrainingMetric.ValidationLoss, Patience = 2, MinDelta = 100 },
        });
        Dictionary<string, float[]>? firstEpoch = null;
        trainer.EpochCompleted += report =>
        {
            if (report.Epoch == 1)
                firstEpoch = TrainedWeights.Of(model);
        };

        var history = trainer.Train(model, Train, Validation);

        Assert.HasCount(3, history);
        Assert.AreEqual(TrainingOutcome.StoppedEarly, history.Outcome);
        Assert.AreEqual(1, history.RestoredEpoch);
        TrainedWeights.AssertEqual(firstEpoch!, TrainedWeights.Of(model));
        Assert.AreEqual(history[0].ValidationLoss!.Value, trainer.Evaluate(model, Validation).Loss, 1e-6);
    }

    [TestMethod]
    public void KeepsTheBestEpochOfTheWatchedMetricWhenEveryEpochRuns()
    {
        using var model = NewModel();
        var trainer = new ClassifierTrainer(new TrainingOptions
        {
            Epochs = 5, BatchSize = 16, Seed = 4, LearningRate = 0.02,
            EarlyStopping = new EarlyStoppingOptions { Metric = TrainingMetric.ValidationAccuracy, Patience = 10 },
        });

        var history = trainer.Train(model, Train, Validation);

        Assert.AreEqual(TrainingOutcome.Completed, history.Outcome);
        Assert.HasCount(5, history);
        double best = history.Max(r => r.ValidationAccuracy!.Value);
        var bestEpoch = history.First(r => r.ValidationAccuracy == best);
        Assert.AreEqual(bestEpoch.Epoch, history.RestoredEpoch);
        var (loss, accuracy) = trainer.Evaluate(model, Validation);
        Assert.AreEqual(best, accuracy, 1e-9);
        Assert.AreEqual(bestEpoch.ValidationLoss!.Value, loss, 1e-6);
    }

    [TestMethod]
    public void WatchingAValidationMetricWithoutValidationDataIsAnError()
    {
        using var model = NewModel();
        var trainer = new ClassifierTrainer(new TrainingOptions { EarlyStopping = new EarlyStoppingOptions() });

        var error = Assert.ThrowsExactly<ArgumentException>(() => trainer.Train(model, Train));

        StringAssert.Contains(error.Message, "ValidationLoss");
    }

    private static CnnModel NewModel() =>
        CnnModel.Create("lenet5", new ModelSpec(Train.Shape, Train.ClassCount), InputNormalization.FromData(Train), CPU, seed: 3);
}
