using System.Diagnostics;
using Microsoft.ML;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Estimators.Experiments;

/// <summary>
/// One experiment on tiny images, run once for the class: three architectures that complete and two candidates that fail (a
/// network with a shape error, an option the architecture does not have); and one whose only trial outlasts the budget.
/// </summary>
[TestClass]
public sealed class CnnExperimentTests
{
    private const string MisshapenArchitecture = "experiment-test-misshapen";
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);
    private static readonly List<string> Log = [];
    private static readonly List<int> StartedTrials = [];
    private static readonly List<CnnTrialResult> EndedTrials = [];
    private static MLContext _mlContext = null!;
    private static IDataView _train = null!;
    private static IDataView _validation = null!;
    private static CnnExperimentResult _result = null!;

    [ClassInitialize]
    public static void RunExperiment(TestContext context)
    {
        if (!ModelZoo.Contains(MisshapenArchitecture))
            ModelZoo.Register(MisshapenArchitecture, spec => nn.Sequential(nn.Flatten(), nn.Linear(7, spec.ClassCount)));
        _mlContext = new MLContext(seed: 1);
        _mlContext.Log += (_, e) =>
        {
            lock (Log)
                Log.Add(e.Message);
        };
        _train = _mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(96, size: 12));
        _validation = _mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(48, size: 12, seed: 2));
        var experiment = _mlContext.CreateCnnExperiment(new CnnExperiment.Options
        {
            Candidates =
            [
                new CnnCandidate("lenet5"),
                new CnnCandidate("resnet20"),
                new CnnCandidate("mobilenet-v1-0.25") { Augment = true },
                new CnnCandidate(MisshapenArchitecture),
                new CnnCandidate("lenet5") { ArchitectureOptions = new Dictionary<string, double> { ["nonsense"] = 1 } },
            ],
            TimeBudget = Budget,
            Preprocessing = _mlContext.Transforms.Conversion.MapValueToKey("Label"),
            KeepAllModels = true,
            Trainer = new CnnClassificationTrainer.Options { Epochs = 1, BatchSize = 16 },
            OnTrialStart = (number, _) => StartedTrials.Add(number),
            OnTrialEnd = EndedTrials.Add,
        });

        _result = experiment.Execute(_train, _validation);
    }

    [ClassCleanup]
    public static void DisposeModels() => _result?.Dispose();

    [TestMethod]
    public void TheLeaderboardRanksCompletedTrialsByTheMetricThenListsTheRestInTrialOrder()
    {
        var rows = _result.Leaderboard;

        Assert.HasCount(5, rows);
        CollectionAssert.AreEquivalent(new[] { 1, 2, 3 }, rows.Take(3).Select(r => r.TrialNumber).ToArray());
        Assert.IsTrue(rows.Take(3).All(r => r.Status == CnnTrialStatus.Completed));
        Assert.IsGreaterThanOrEqualTo(rows[1].Score!.Value, rows[0].Score!.Value);
        Assert.IsGreaterThanOrEqualTo(rows[2].Score!.Value, rows[1].Score!.Value);
        CollectionAssert.AreEqual(new[] { 4, 5 }, rows.Skip(3).Select(r => r.TrialNumber).ToArray());
        Assert.AreSame(rows[0], _result.BestTrial);
        Assert.AreSame(rows[0].Model, _result.BestModel);
        Assert.AreEqual("mobilenet-v1-0.25, lr 0.001, batch 16, 1 epoch, augmented", rows.Single(r => r.TrialNumber == 3).Candidate.ToString());
        Assert.IsFalse(_result.BudgetExhausted);
        Assert.IsLessThan(Budget, _result.Elapsed);
    }

    [TestMethod]
    public void EachRowsMetricsAreWhatEvaluateGivesForItsModelOnTheHoldout()
    {
        var spec = new ModelSpec(new ImageShape(1, 12, 12), 4);
        foreach (var row in _result.Leaderboard.Where(r => r.Status == CnnTrialStatus.Completed))
        {
            var metrics = _mlContext.MulticlassClassification.Evaluate(row.Model!.Transform(_validation));

            Assert.HasCount(1, row.FoldMetrics);
            Assert.AreEqual(new MetricStatistics(metrics.MicroAccuracy, 0), row.MicroAccuracy, row.ToString());
            Assert.AreEqual(new MetricStatistics(metrics.MacroAccuracy, 0), row.MacroAccuracy, row.ToString());
            Assert.AreEqual(new MetricStatistics(metrics.LogLoss, 0), row.LogLoss, row.ToString());
            Assert.AreEqual(metrics.MicroAccuracy, row.Score);
            Assert.IsNull(row.TopKAccuracy, "four classes: no top-5");
            var summary = ModelSummary.Create(row.Candidate.Architecture, spec);
            Assert.AreEqual(summary.Parameters, row.Parameters, row.ToString());
            Assert.AreEqual(summary.MultiplyAdds, row.MultiplyAdds, row.ToString());
            Assert.IsGreaterThan(0.0, row.InferenceMillisecondsPerImage!.Value);
            Assert.IsGreaterThan(TimeSpan.Zero, row.TrainingTime);
        }
    }

    [TestMethod]
    public void TheBestModelSavesAndLoadsAndScoresAsItDid()
    {
        string path = Path.Combine(TestFolders.Create(), "best.zip");

        _mlContext.Model.SaveAtomically(_result.BestModel!, _train.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);

        var metrics = _mlContext.MulticlassClassification.Evaluate(loaded.Transform(_validation));
        Assert.AreEqual(_result.BestTrial!.MicroAccuracy!.Value.Mean, metrics.MicroAccuracy);
        Assert.AreEqual(_result.BestTrial.LogLoss!.Value.Mean, metrics.LogLoss, 1e-6);
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void AFailingCandidateIsRecordedWithItsErrorAndTheExperimentGoesOn()
    {
        var misshapen = _result.Leaderboard.Single(r => r.TrialNumber == 4);
        var badOption = _result.Leaderboard.Single(r => r.TrialNumber == 5);

        Assert.AreEqual(CnnTrialStatus.Failed, misshapen.Status);
        StringAssert.Contains(misshapen.Error, "shapes cannot be multiplied");
        Assert.AreEqual(CnnTrialStatus.Failed, badOption.Status);
        StringAssert.Contains(badOption.Error, "lenet5 has no option 'nonsense'");
        Assert.IsNull(misshapen.Score);
        Assert.IsNull(misshapen.Model);
    }

    [TestMethod]
    public void TheBudgetStopsTheRunningTrialWithinAboutOneStepAndStartsNoOther()
    {
        var budget = TimeSpan.FromSeconds(3);
        var stepClock = new Stopwatch();
        var longestStep = TimeSpan.Zero;
        var experiment = _mlContext.CreateCnnExperiment(new CnnExperiment.Options
        {
            Candidates = [new CnnCandidate("lenet5") { Epochs = 1_000_000 }, new CnnCandidate("resnet20")],
            TimeBudget = budget,
            Preprocessing = _mlContext.Transforms.Conversion.MapValueToKey("Label"),
            Trainer = new CnnClassificationTrainer.Options
            {
                BatchSize = 16,
                OnStepEnd = step =>
                {
                    if (step.Step > 1 && stepClock.Elapsed > longestStep)
                        longestStep = stepClock.Elapsed;
                    stepClock.Restart();
                },
            },
        });

        var clock = Stopwatch.StartNew();
        using var result = experiment.Execute(_train, _validation);
        var elapsed = clock.Elapsed;

        var stopped = result.Leaderboard.Single();
        Assert.AreEqual(CnnTrialStatus.StoppedAtBudget, stopped.Status);
        Assert.IsTrue(result.BudgetExhausted);
        Assert.IsNull(stopped.Model);
        Assert.IsNull(result.BestModel);
        Assert.IsGreaterThan(TimeSpan.Zero, stopped.TrainingTime);
        Assert.IsGreaterThanOrEqualTo(budget - TimeSpan.FromMilliseconds(50), elapsed);
        // Generous on a busy machine: the budget honoured, not a speed test.
        Assert.IsLessThan(budget + longestStep + TimeSpan.FromSeconds(3), elapsed, $"longest step {longestStep}");
    }

    [TestMethod]
    public void EveryTrialIsReportedToTheCallbacksAndToTheMLContextLog()
    {
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5 }, StartedTrials);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5 }, EndedTrials.Select(t => t.TrialNumber).ToArray());
        lock (Log)
        {
            Assert.IsTrue(Log.Any(m => m.Contains("Trial 2: resnet20, lr 0.001, batch 16, 1 epoch.", StringComparison.Ordinal)), string.Join("\n", Log));
            Assert.IsTrue(Log.Any(m => m.Contains("Trial 4", StringComparison.Ordinal) && m.Contains("failed", StringComparison.Ordinal)));
            Assert.IsTrue(Log.Any(m => m.Contains("best: Trial", StringComparison.Ordinal)));
        }
    }
}
