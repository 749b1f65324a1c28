using Microsoft.ML;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators.Experiments;

[TestClass]
public sealed class CnnExperimentTopKTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void WithMoreThanFiveClassesEachTrialHasTheTopFiveAccuracyEvaluateGivesAndTheLeaderboardShowsIt()
    {
        var mlContext = new MLContext(seed: 1);
        var keys = mlContext.Transforms.Conversion.MapValueToKey("Label");
        var train = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(84, classCount: 7, size: 12));
        var holdout = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(42, classCount: 7, size: 12, seed: 2));
        var options = new CnnExperiment.Options
        {
            Candidates = [new CnnCandidate("lenet5")],
            Preprocessing = keys,
            Trainer = new CnnClassificationTrainer.Options { Epochs = 1, BatchSize = 16 },
        };

        using var result = mlContext.CreateCnnExperiment(options).Execute(train, holdout);

        var trial = result.Leaderboard.Single();
        var metrics = mlContext.MulticlassClassification.Evaluate(trial.Model!.Transform(holdout), topKPredictionCount: 5);
        Assert.AreEqual(5, trial.TopK);
        Assert.AreEqual(new MetricStatistics(metrics.TopKAccuracy, 0), trial.TopKAccuracy);
        Assert.IsGreaterThanOrEqualTo(trial.MicroAccuracy!.Value.Mean, trial.TopKAccuracy!.Value.Mean);
        Assert.IsLessThan(1.0, trial.MicroAccuracy!.Value.Mean, "one epoch leaves room for top-5 to count more than top-1");

        var report = new ComparisonReport
        {
            Data = "bars",
            Evaluation = "holdout",
            OptimizationMetric = result.Leaderboard[0].OptimizationMetric,
            Rows = LeaderboardRow.From(result),
        };
        StringAssert.Contains(report.ToMarkdown(), "| Top-5 accuracy |");
        StringAssert.Contains(report.ToMarkdown(), $"| {trial.TopKAccuracy!.Value.Mean.ToString("P2", System.Globalization.CultureInfo.InvariantCulture)} |");
        var csv = report.ToCsv().Split('\n');
        StringAssert.EndsWith(csv[0].TrimEnd('\r'), "top_k,top_k_accuracy,top_k_accuracy_std");
        StringAssert.Contains(csv[1], $",5,{trial.TopKAccuracy!.Value.Mean.ToString("R", System.Globalization.CultureInfo.InvariantCulture)},");
    }
}
