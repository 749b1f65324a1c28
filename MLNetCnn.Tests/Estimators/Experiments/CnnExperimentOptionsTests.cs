using System.Reflection;
using Microsoft.ML;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators.Experiments;

[TestClass]
public sealed class CnnExperimentOptionsTests
{
    // MLContext.CancelExecution is internal to ML.NET; AutoML calls it to stop the trials under way.
    private static readonly MethodInfo CancelExecution = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic)!;

    [TestCategory("Fast")]

    [TestMethod]
    public void CrossValidationReportsTheMeanAndSpreadOverFoldsOfARandomSearch()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Fit(mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(64, size: 12)))
            .Transform(mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(64, size: 12)));
        var space = new CnnSearchSpace { Architectures = ["lenet5", "lenet5-classic"], LearningRates = [1e-3, 3e-3] };
        var options = new CnnExperiment.Options
        {
            SearchSpace = space,
            SearchStrategy = CnnSearchStrategy.Random,
            MaxTrials = 3,
            CrossValidationFolds = 2,
            OptimizationMetric = CnnExperimentMetric.LogLoss,
            Seed = 5,
            Trainer = new CnnClassificationTrainer.Options { Epochs = 1, BatchSize = 16 },
        };

        using var result = mlContext.CreateCnnExperiment(options).Execute(data);

        Assert.HasCount(3, result.Leaderboard);
        var expectedOrder = space.RandomOrder(5).Take(3).Select(c => (c.Architecture, c.LearningRate)).ToArray();
        CollectionAssert.AreEqual(expectedOrder, result.Leaderboard.OrderBy(r => r.TrialNumber).Select(r => (r.Candidate.Architecture, r.Candidate.LearningRate)).ToArray());
        for (int i = 1; i < result.Leaderboard.Count; i++)
            Assert.IsLessThanOrEqualTo(result.Leaderboard[i].Score!.Value, result.Leaderboard[i - 1].Score!.Value);
        foreach (var row in result.Leaderboard)
        {
            Assert.AreEqual(CnnTrialStatus.Completed, row.Status, row.ToString());
            Assert.HasCount(2, row.FoldMetrics);
            var (first, second) = (row.FoldMetrics[0].LogLoss, row.FoldMetrics[1].LogLoss);
            Assert.AreEqual((first + second) / 2, row.LogLoss!.Value.Mean, 1e-12);
            Assert.AreEqual(Math.Abs(first - second) / Math.Sqrt(2), row.LogLoss.Value.StandardDeviation, 1e-12);
            Assert.AreEqual(row.LogLoss.Value.Mean, row.Score);
        }
        Assert.IsNotNull(result.BestModel);
        Assert.IsTrue(result.Leaderboard.Skip(1).All(r => r.Model is null), "only the best model is kept");
        Assert.IsFalse(result.BudgetExhausted);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void CancellingStopsTheRunningTrialAndThrows()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(32, size: 12));
        using var cancellation = new CancellationTokenSource();
        int ended = 0;
        var experiment = mlContext.CreateCnnExperiment(new CnnExperiment.Options
        {
            Candidates = [new CnnCandidate("lenet5") { Epochs = 1_000_000 }],
            Preprocessing = mlContext.Transforms.Conversion.MapValueToKey("Label"),
            Trainer = new CnnClassificationTrainer.Options
            {
                BatchSize = 8,
                OnStepEnd = step =>
                {
                    if (step.Epoch == 2)
                        cancellation.Cancel();
                },
            },
            OnTrialEnd = _ => ended++,
        });

        Assert.ThrowsExactly<OperationCanceledException>(() => experiment.Execute(data, cancellation.Token));
        Assert.AreEqual(0, ended);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void CancellingTheMLContextStopsTheExperimentRatherThanFailingATrial()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(32, size: 12));
        var ended = new List<int>();
        var experiment = mlContext.CreateCnnExperiment(new CnnExperiment.Options
        {
            Candidates = [new CnnCandidate("lenet5"), new CnnCandidate("lenet5-classic")],
            Preprocessing = mlContext.Transforms.Conversion.MapValueToKey("Label"),
            Trainer = new CnnClassificationTrainer.Options { Epochs = 1, BatchSize = 8 },
            OnTrialEnd = trial =>
            {
                ended.Add(trial.TrialNumber);
                CancelExecution.Invoke(mlContext, null);
            },
        });

        Assert.ThrowsExactly<OperationCanceledException>(() => experiment.Execute(data));
        CollectionAssert.AreEqual(new[] { 1 }, ended);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void OptionsAndDataThatCannotWorkFailBeforeAnyTrialNamingTheCause()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(8, size: 12));
        CnnExperiment.Options Options() => new() { Candidates = [new CnnCandidate("lenet5")] };

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => mlContext.CreateCnnExperiment(new CnnExperiment.Options())).Message, "Candidates or a SearchSpace");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => mlContext.CreateCnnExperiment(new CnnExperiment.Options { SearchSpace = new CnnSearchSpace() })).Message,
            "names no architecture");
        var twoFolds = Options();
        twoFolds.CrossValidationFolds = 1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.CreateCnnExperiment(twoFolds)).Message, "CrossValidationFolds");
        var noBudget = Options();
        noBudget.TimeBudget = TimeSpan.Zero;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.CreateCnnExperiment(noBudget)).Message, "TimeBudget");

        var textLabel = Assert.ThrowsExactly<ArgumentException>(() => mlContext.CreateCnnExperiment(Options()).Execute(data));
        StringAssert.Contains(textLabel.Message, "The training data");
        StringAssert.Contains(textLabel.Message, "MapValueToKey(\"Label\")");
        var folds = Options();
        folds.CrossValidationFolds = 3;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => mlContext.CreateCnnExperiment(folds).Execute(data, data)).Message, "not both");
    }
}
