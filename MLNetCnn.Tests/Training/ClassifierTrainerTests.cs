using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class ClassifierTrainerTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(256, seed: 1);
    private static readonly ImageDataset Test = SyntheticImages.Bars(64, seed: 2);

    [TestMethod]
    [DataRow(OptimizerKind.Adam, 1e-3)]
    [DataRow(OptimizerKind.Sgd, 1e-2)]
    public void LearnsASimpleImageTask(OptimizerKind optimizer, double learningRate)
    {
        using var model = NewModel(seed: 3);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 6, BatchSize = 32, Optimizer = optimizer, LearningRate = learningRate, Seed = 3 });

        var history = trainer.Train(model, Train, Test);

        Assert.IsLessThan(history[0].TrainLoss / 2, history[^1].TrainLoss);
        Assert.IsGreaterThanOrEqualTo(0.95, history[^1].ValidationAccuracy!.Value);
    }

    [TestMethod]
    [DataRow(256, 3)]
    [DataRow(201, 2)]
    public void ReportsEveryStepWithTheEpochsRunningLossAndAccuracy(int images, int stepsPerEpoch)
    {
        using var model = NewModel(seed: 5);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 2, BatchSize = 100, Seed = 5 });
        var steps = new List<StepReport>();
        trainer.StepCompleted += steps.Add;

        var history = trainer.Train(model, SyntheticImages.Bars(images, seed: 1));

        Assert.HasCount(2 * stepsPerEpoch, steps);
        Assert.IsTrue(steps.All(s => s.StepCount == stepsPerEpoch));
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }.Take(stepsPerEpoch).Concat(new[] { 1, 2, 3 }.Take(stepsPerEpoch)).ToArray(), steps.Select(s => s.Step).ToArray());
        var lastOfEpoch2 = steps[^1];
        Assert.AreEqual(2, lastOfEpoch2.Epoch);
        Assert.AreEqual(history[1].TrainLoss, lastOfEpoch2.Loss, 1e-9);
        Assert.AreEqual(history[1].TrainAccuracy, lastOfEpoch2.Accuracy, 1e-9);
        Assert.AreEqual(stepsPerEpoch == 3 ? 256 : 200, lastOfEpoch2.ImagesSeen);
    }

    [TestMethod]
    public void TheSameSeedRepeatsARunExactly()
    {
        float[] RunOnce()
        {
            using var model = NewModel(seed: 11);
            new ClassifierTrainer(new TrainingOptions { Epochs = 2, BatchSize = 16, Seed = 11 }).Train(model, Train);
            var probabilities = new float[Test.Count * Test.ClassCount];
            model.PredictProbabilities(Test.Pixels, Test.Count, probabilities);
            return probabilities;
        }

        CollectionAssert.AreEqual(RunOnce(), RunOnce());
    }

    [TestMethod]
    public void ReportsEveryEpochWithConsistentNumbers()
    {
        using var model = NewModel(seed: 5);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 3, BatchSize = 64, Seed = 5 });
        var reports = new List<EpochReport>();
        trainer.EpochCompleted += reports.Add;

        var history = trainer.Train(model, Train, Test);

        CollectionAssert.AreEqual(history.ToList(), reports);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(reports.All(r => r.EpochCount == 3 && r.TrainAccuracy is >= 0 and <= 1 && r.ImagesPerSecond > 0));
        Assert.IsTrue(reports.Zip(reports.Skip(1)).All(p => p.Second.Elapsed > p.First.Elapsed));
        var (loss, accuracy) = trainer.Evaluate(model, Test);
        Assert.AreEqual(loss, reports[^1].ValidationLoss!.Value, 1e-5);
        Assert.AreEqual(accuracy, reports[^1].ValidationAccuracy!.Value, 1e-9);
    }

    [TestMethod]
    public void CancellationStopsTrainingBetweenSteps()
    {
        using var model = NewModel(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 50, BatchSize = 8, Seed = 1 });
        trainer.EpochCompleted += _ => cancellation.Cancel();

        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Train(model, Train, cancellation: cancellation.Token));
    }

    [TestMethod]
    [DataRow(0, 32, 1e-3, "Epochs")]
    [DataRow(1, 0, 1e-3, "BatchSize")]
    [DataRow(1, 32, -1.0, "LearningRate")]
    [DataRow(1, 32, double.NaN, "LearningRate")]
    public void RejectsOptionsOutOfRangeByName(int epochs, int batchSize, double learningRate, string option)
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new ClassifierTrainer(new TrainingOptions { Epochs = epochs, BatchSize = batchSize, LearningRate = learningRate }));
        StringAssert.Contains(error.Message, option);
    }

    [TestMethod]
    public void RejectsDataOfAnotherShape()
    {
        using var model = NewModel(seed: 1);
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            new ClassifierTrainer(new TrainingOptions()).Train(model, SyntheticImages.Bars(8, size: 14)));
        StringAssert.Contains(error.Message, "1x14x14");
    }

    private static CnnModel NewModel(int seed) =>
        CnnModel.Create("lenet5", new ModelSpec(Train.Shape, Train.ClassCount), InputNormalization.FromData(Train), CPU, seed);
}
