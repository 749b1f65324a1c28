using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Estimators;

/// <summary>The training engine's options as an ML.NET user reaches them: through the trainer's Options and Fit.</summary>
[TestClass]
public sealed class CnnClassificationTrainerTrainingTests
{
    [TestMethod]
    public void EveryEpochReachesTheCallbackTheProgressAndTheLogOnceWithTheSameNumbers()
    {
        var mlContext = new MLContext(seed: 1);
        var log = new List<string>();
        mlContext.Log += (_, e) =>
        {
            lock (log)
                log.Add(e.Message);
        };
        var callbacks = new List<EpochReport>();
        var progress = new Recorder();
        var options = new CnnClassificationTrainer.Options
        {
            Epochs = 3, BatchSize = 16, ValidationFraction = 0.25, Schedule = ScheduleKind.Step, StepEpochs = 1, Gamma = 0.5,
            OnEpochEnd = callbacks.Add, Progress = progress,
        };

        var model = Fit(mlContext, options);

        CollectionAssert.AreEqual(callbacks, progress.Reports);
        CollectionAssert.AreEqual(callbacks, model.TrainingHistory.ToList());
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, callbacks.Select(r => r.Epoch).ToArray());
        CollectionAssert.AreEqual(new[] { 1e-3, 5e-4, 2.5e-4 }, callbacks.Select(r => Math.Round(r.LearningRate, 12)).ToArray());
        Assert.IsTrue(callbacks.All(r => r.ValidationLoss is > 0 && r.ImagesPerSecond > 0));
        lock (log)
        {
            foreach (var report in callbacks)
                Assert.AreEqual(1, log.Count(line => line.Contains(report.ToString(), StringComparison.Ordinal)), $"log line of epoch {report.Epoch}");
            Assert.IsTrue(log.Any(line => line.Contains(model.TrainingHistory.ToString(), StringComparison.Ordinal)), "how training ended is logged");
        }
    }

    [TestMethod]
    public void FitWithValidationDataValidatesEveryEpochAndStopsEarlyOnIt()
    {
        var mlContext = new MLContext(seed: 2);
        var keys = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(Data(mlContext, 64, seed: 1));
        var train = keys.Transform(Data(mlContext, 64, seed: 1));
        var validation = keys.Transform(Data(mlContext, 32, seed: 2));
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
        {
            Epochs = 10, BatchSize = 16, EarlyStoppingPatience = 1, EarlyStoppingMinDelta = 100,
        });

        using var model = trainer.Fit(train, validation);

        Assert.HasCount(2, model.TrainingHistory);
        Assert.AreEqual(TrainingOutcome.StoppedEarly, model.TrainingHistory.Outcome);
        Assert.AreEqual(1, model.TrainingHistory.RestoredEpoch);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(validation));
        Assert.AreEqual(model.TrainingHistory[0].ValidationAccuracy!.Value, metrics.MicroAccuracy, 1e-9);
    }

    [TestMethod]
    public void EarlyStoppingOnValidationLossWithoutValidationDataNamesTheWayOut()
    {
        var mlContext = new MLContext(seed: 3);
        var error = Assert.ThrowsExactly<ArgumentException>(() => Fit(mlContext, new CnnClassificationTrainer.Options { EarlyStoppingPatience = 2 }));
        StringAssert.Contains(error.Message, "ValidationFraction");
    }

    [TestMethod]
    public void MLContextCancellationStopsTraining()
    {
        var mlContext = new MLContext(seed: 4);
        // MLContext.CancelExecution is internal to ML.NET; AutoML calls it to stop the trials under way.
        var cancelExecution = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic)!;
        var options = new CnnClassificationTrainer.Options { Epochs = 20, BatchSize = 16 };
        options.OnEpochEnd = report =>
        {
            if (report.Epoch == 1)
                cancelExecution.Invoke(mlContext, null);
        };

        Assert.ThrowsExactly<OperationCanceledException>(() => Fit(mlContext, options));
    }

    [TestMethod]
    public void ACancelledFitCanReturnTheBestModelSoFar()
    {
        var mlContext = new MLContext(seed: 5);
        using var cancellation = new CancellationTokenSource();
        var options = new CnnClassificationTrainer.Options
        {
            Epochs = 20, BatchSize = 16, Cancellation = cancellation.Token, ReturnBestModelOnCancel = true,
            OnEpochEnd = report =>
            {
                if (report.Epoch == 2)
                    cancellation.Cancel();
            },
        };

        using var model = Fit(mlContext, options);

        Assert.AreEqual(TrainingOutcome.Cancelled, model.TrainingHistory.Outcome);
        Assert.HasCount(2, model.TrainingHistory);
        Assert.AreEqual(2, model.TrainingHistory.RestoredEpoch);
    }

    [TestMethod]
    public void AFitResumedFromItsCheckpointScoresLikeAnUninterruptedFit()
    {
        string folder = TestFolders.Create();
        CnnClassificationTrainer.Options Options(bool resume) => new()
        {
            Epochs = 3, BatchSize = 16, ValidationFraction = 0.25, Schedule = ScheduleKind.Cosine, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01,
            CheckpointFolder = folder, Resume = resume,
        };
        var plain = Options(resume: false);
        plain.CheckpointFolder = null;
        var uninterrupted = Scores(Fit(new MLContext(seed: 6), plain));
        using var cancellation = new CancellationTokenSource();
        var interrupted = Options(resume: false);
        interrupted.Cancellation = cancellation.Token;
        interrupted.OnEpochEnd = report =>
        {
            if (report.Epoch == 1)
                cancellation.Cancel();
        };
        Assert.ThrowsExactly<OperationCanceledException>(() => Fit(new MLContext(seed: 6), interrupted));

        var resumed = Fit(new MLContext(seed: 6), Options(resume: true));

        Assert.AreEqual(1 * 3, resumed.TrainingHistory.ResumedFromStep);
        CollectionAssert.AreEqual(uninterrupted, Scores(resumed));
    }

    [TestMethod]
    public void FindLearningRateSuggestsAFiniteRate()
    {
        var mlContext = new MLContext(seed: 7);
        var data = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(Data(mlContext, 128, seed: 1)).Transform(Data(mlContext, 128, seed: 1));

        var search = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { BatchSize = 16 })
            .FindLearningRate(data, new LearningRateFinderOptions { StartLearningRate = 1e-5, EndLearningRate = 1, Steps = 30 });

        Assert.IsTrue(double.IsFinite(search.SuggestedLearningRate) && search.SuggestedLearningRate is >= 1e-5 and <= 1, $"suggested {search.SuggestedLearningRate}");
        Assert.IsTrue(search.Points.All(p => double.IsFinite(p.Loss)));
    }

    private static IDataView Data(MLContext mlContext, int count, int seed) =>
        mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(count, size: 12, seed: seed));

    private static CnnClassificationTransformer Fit(MLContext mlContext, CnnClassificationTrainer.Options options)
    {
        var data = Data(mlContext, 64, seed: 1);
        var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        return mlContext.MulticlassClassification.Trainers.Cnn(options).Fit(keyed);
    }

    private static float[] Scores(CnnClassificationTransformer model)
    {
        using (model)
        {
            var mlContext = new MLContext();
            var data = Data(mlContext, 32, seed: 9);
            var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
            return model.Transform(keyed).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> that records on the reporting thread (Progress{T} would post elsewhere).</summary>
    private sealed class Recorder : IProgress<EpochReport>
    {
        public List<EpochReport> Reports { get; } = [];

        public void Report(EpochReport value) => Reports.Add(value);
    }
}
