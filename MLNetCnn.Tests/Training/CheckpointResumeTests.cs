using MLNetCnn.Data;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class CheckpointResumeTests
{
    private const int StepsPerEpoch = 8;
    private static readonly ImageDataset Train = SyntheticImages.Bars(64, seed: 1);

    [TestMethod]
    public void ARunInterruptedAfterAnEpochAndResumedEqualsAnUninterruptedRun()
    {
        var (expectedWeights, expectedHistory) = Uninterrupted(everySteps: 0);
        string folder = NewFolder();
        Interrupt(folder, everySteps: 0, (epoch, step) => epoch == 2 && step == StepsPerEpoch);

        using var resumed = TinyNetwork.Create(Train, seed: 99);
        var history = new ClassifierTrainer(Options(folder, everySteps: 0, resume: true)).Train(resumed, Train);

        Assert.AreEqual(2 * StepsPerEpoch, history.ResumedFromStep);
        TrainedWeights.AssertEqual(expectedWeights, TrainedWeights.Of(resumed));
        AssertSameEpochs(expectedHistory, history);
    }

    [TestMethod]
    public void ARunInterruptedMidEpochAndResumedFromAStepCheckpointEqualsAnUninterruptedRun()
    {
        var (expectedWeights, expectedHistory) = Uninterrupted(everySteps: 5);
        string folder = NewFolder();
        // Checkpoints fall after global steps 5, 8 (epoch end), 10 and 15: stopping after step 11 resumes from step 10, mid-epoch 2.
        Interrupt(folder, everySteps: 5, (epoch, step) => epoch == 2 && step == 3);

        using var resumed = TinyNetwork.Create(Train, seed: 99);
        var history = new ClassifierTrainer(Options(folder, everySteps: 5, resume: true)).Train(resumed, Train);

        Assert.AreEqual(10, history.ResumedFromStep);
        TrainedWeights.AssertEqual(expectedWeights, TrainedWeights.Of(resumed));
        AssertSameEpochs(expectedHistory, history);
    }

    [TestMethod]
    public void ACancelledRunLeavesOnlyItsLastCompleteCheckpoint()
    {
        string folder = NewFolder();

        Interrupt(folder, everySteps: 3, (epoch, step) => epoch == 1 && step == 7);

        CollectionAssert.AreEqual(new[] { CheckpointStore.FileName }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
        using var resumed = TinyNetwork.Create(Train, seed: 1);
        var history = new ClassifierTrainer(Options(folder, everySteps: 3, resume: true)).Train(resumed, Train);
        Assert.AreEqual(6, history.ResumedFromStep);
    }

    [TestMethod]
    public void CancellingWithReturnBestModelKeepsTheLastCompletedEpoch()
    {
        using var model = TinyNetwork.Create(Train, seed: 1);
        using var cancellation = new CancellationTokenSource();
        var trainer = new ClassifierTrainer(Options(NewFolder(), everySteps: 0, resume: false) with { ReturnBestModelOnCancel = true, EarlyStopping = null, EmaDecay = 0 });
        Dictionary<string, float[]>? secondEpoch = null;
        trainer.EpochCompleted += report =>
        {
            if (report.Epoch == 2)
                secondEpoch = TrainedWeights.Of(model);
        };
        trainer.StepCompleted += step =>
        {
            if (step.Epoch == 3 && step.Step == 2)
                cancellation.Cancel();
        };

        var history = trainer.Train(model, Train, cancellation: cancellation.Token);

        Assert.AreEqual(TrainingOutcome.Cancelled, history.Outcome);
        Assert.HasCount(2, history);
        Assert.AreEqual(2, history.RestoredEpoch);
        TrainedWeights.AssertEqual(secondEpoch!, TrainedWeights.Of(model));
    }

    [TestMethod]
    public void ResumingWithOtherSettingsNamesTheDifference()
    {
        string folder = NewFolder();
        Interrupt(folder, everySteps: 0, (epoch, step) => epoch == 2 && step == 1);
        using var model = TinyNetwork.Create(Train, seed: 1);

        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            new ClassifierTrainer(Options(folder, everySteps: 0, resume: true) with { BatchSize = 16 }).Train(model, Train));

        StringAssert.Contains(error.Message, "BatchSize 8 there, 16 here");
    }

    [TestMethod]
    public void ResumingWithAnotherSeedIsRefusedNamingBothSeeds()
    {
        string folder = NewFolder();
        Interrupt(folder, everySteps: 0, (epoch, step) => epoch == 2 && step == 1);
        using var model = TinyNetwork.Create(Train, seed: 1);

        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            new ClassifierTrainer(Options(folder, everySteps: 0, resume: true) with { Seed = 6 }).Train(model, Train));

        StringAssert.Contains(error.Message, "Seed 5 there, 6 here");
    }

    [TestMethod]
    public void ADamagedCheckpointIsRefusedNamingTheFile()
    {
        string folder = NewFolder();
        Interrupt(folder, everySteps: 0, (epoch, step) => epoch == 2 && step == 1);
        string file = Path.Combine(folder, CheckpointStore.FileName);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length * 3 / 5] ^= 0x10;
        File.WriteAllBytes(file, bytes);
        using var model = TinyNetwork.Create(Train, seed: 1);

        var error = Assert.ThrowsExactly<InvalidDataException>(() =>
            new ClassifierTrainer(Options(folder, everySteps: 0, resume: true)).Train(model, Train));

        StringAssert.Contains(error.Message, file);
        StringAssert.Contains(error.Message, "damaged");
    }

    /// <summary>
    /// Everything that carries state: SGD momentum, a warm-up and cosine schedule, label smoothing, MixUp and CutMix draws, the
    /// weights' moving average, dropout and batch normalisation (<see cref="TinyNetwork"/>), and early stopping with its best weights.
    /// </summary>
    private static TrainingOptions Options(string folder, int everySteps, bool resume) => new()
    {
        Epochs = 3, BatchSize = 8, Seed = 5, Optimizer = OptimizerKind.Sgd, Nesterov = true, LearningRate = 0.05,
        Schedule = ScheduleKind.Cosine, WarmupEpochs = 1, LabelSmoothing = 0.1, MixUpAlpha = 0.4, CutMixAlpha = 1, EmaDecay = 0.9,
        EarlyStopping = new EarlyStoppingOptions { Metric = TrainingMetric.TrainLoss, Patience = 10 },
        Checkpoints = new CheckpointOptions { Folder = folder, EverySteps = everySteps, Resume = resume },
    };

    private static (Dictionary<string, float[]> Weights, TrainingHistory History) Uninterrupted(int everySteps)
    {
        using var model = TinyNetwork.Create(Train, seed: 1);
        var history = new ClassifierTrainer(Options(NewFolder(), everySteps, resume: false)).Train(model, Train);
        Assert.IsNull(history.ResumedFromStep);
        return (TrainedWeights.Of(model), history);
    }

    private static void Interrupt(string folder, int everySteps, Func<int, int, bool> stopAfter)
    {
        using var model = TinyNetwork.Create(Train, seed: 1);
        using var cancellation = new CancellationTokenSource();
        var trainer = new ClassifierTrainer(Options(folder, everySteps, resume: false));
        trainer.StepCompleted += step =>
        {
            if (stopAfter(step.Epoch, step.Step))
                cancellation.Cancel();
        };
        Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Train(model, Train, cancellation: cancellation.Token));
    }

    private static void AssertSameEpochs(TrainingHistory expected, TrainingHistory actual)
    {
        static object Numbers(EpochReport r) => (r.Epoch, r.TrainLoss, r.TrainAccuracy, r.LearningRate);
        CollectionAssert.AreEqual(expected.Select(Numbers).ToList(), actual.Select(Numbers).ToList());
        Assert.AreEqual(expected.RestoredEpoch, actual.RestoredEpoch);
    }

    private static string NewFolder() => TestFolders.Create();
}
