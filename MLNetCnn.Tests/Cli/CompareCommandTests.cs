using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Cli.Commands;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class CompareCommandTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ComparesThreeArchitecturesAndWritesTheLeaderboardTheChartAndTheBestModel()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 3, perClass: 8, seed: 3);
        string run = Path.Combine(TestFolders.Create(), "compare");

        var (exitCode, output, error) = CliInProcess.Run("compare", "--data", data, "--arch", "lenet5,lenet5-classic", "mobilenet-v1-0.25", "--epochs", "1",
            "--batch-size", "8", "--image-size", "12", "--holdout-fraction", "0.25", "--time-budget", "5m", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "Trial 3: mobilenet-v1-0.25, lr 0.001, batch 8, 1 epoch");
        StringAssert.Contains(output, "Leaderboard by MicroAccuracy");
        var report = ComparisonReport.FromJson(File.ReadAllText(Path.Combine(run, ComparisonReport.JsonFile)));
        Assert.HasCount(3, report.Rows);
        CollectionAssert.AreEquivalent(new[] { "lenet5", "lenet5-classic", "mobilenet-v1-0.25" }, report.Rows.Select(r => r.Architecture).ToArray());
        CollectionAssert.AreEqual(new int?[] { 1, 2, 3 }, report.Rows.Select(r => r.Rank).ToArray());
        for (int i = 1; i < report.Rows.Count; i++)
            Assert.IsLessThanOrEqualTo(report.Rows[i - 1].MicroAccuracy!.Value, report.Rows[i].MicroAccuracy!.Value);
        Assert.IsTrue(report.Rows.All(r => r.Status == CnnTrialStatus.Completed && r.Parameters > 0 && r.InferenceMillisecondsPerImage > 0));
        Assert.AreEqual(300, report.TimeBudgetSeconds);

        var csv = File.ReadAllLines(Path.Combine(run, ComparisonReport.CsvFile));
        Assert.HasCount(4, csv);
        Assert.AreEqual(string.Join(",", LeaderboardRow.CsvHeader), csv[0]);
        StringAssert.StartsWith(csv[1], $"1,{report.Rows[0].Trial},{report.Rows[0].Architecture},");
        string markdown = File.ReadAllText(Path.Combine(run, ComparisonReport.MarkdownFile));
        StringAssert.Contains(markdown, $"]({ComparisonReport.ChartFile})");
        StringAssert.Contains(markdown, "| 1 | ");

        var chart = report.Chart!;
        var (width, height, colours) = ImageFiles.Inspect(Path.Combine(run, chart.File));
        Assert.AreEqual((chart.Width, chart.Height), (width, height));
        Assert.IsGreaterThan(2, colours);

        var mlContext = new MLContext();
        var model = mlContext.Model.Load(report.BestModel!, out _);
        var scored = model.Transform(mlContext.Data.LoadImageFolder(data, new ImageFileOptions { ImageWidth = 12, ImageHeight = 12, ImageColumnName = CnnColumnNames.Features }));
        var predicted = scored.GetColumn<ReadOnlyMemory<char>>(CnnColumnNames.PredictedLabel).Select(p => p.ToString()).ToHashSet();
        Assert.IsTrue(predicted.IsSubsetOf(["a", "b", "c"]), string.Join(",", predicted));
        (model as IDisposable)?.Dispose();
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AMalformedBudgetOrAnUnknownArchitectureFailsWithOneLine()
    {
        CliInProcess.AssertFails(CliInProcess.Run("compare", "--time-budget", "soon"), "--time-budget", "'soon'");
        CliInProcess.AssertFails(CliInProcess.Run("compare", "--arch", "lenet5,resnet9000"), "Unknown architecture 'resnet9000'");
        Assert.AreEqual(TimeSpan.FromMinutes(90), CompareCommand.ParseDuration("1.5h"));
        Assert.AreEqual(TimeSpan.FromSeconds(90), CompareCommand.ParseDuration("90"));
        Assert.AreEqual(TimeSpan.FromMinutes(10), CompareCommand.ParseDuration("10m"));
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(new[] { "--optimizer", "adam", "--nesterov" }, "Nesterov momentum needs the Sgd optimizer and a positive Momentum; the options have Adam")]
    [DataRow(new[] { "--schedule", "onecycle", "--warmup-epochs", "1" }, "WarmupEpochs cannot be combined with the OneCycle schedule")]
    public void EveryTrialTrainsWithTheOptimizerAndScheduleFlags(string[] flags, string trainerError)
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 6, seed: 4);

        var (_, output, error) = CliInProcess.Run(["compare", "--data", data, "--arch", "lenet5", "--epochs", "1", "--image-size", "12",
            "--output", Path.Combine(TestFolders.Create(), "compare"), .. flags]);

        StringAssert.Contains(output + error, trainerError);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void FailsWhenNoTrialCompletesAndWhenThereAreMoreFoldsThanRows()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 6, seed: 4);
        string run = Path.Combine(TestFolders.Create(), "compare");

        var allFailed = CliInProcess.Run("compare", "--data", data, "--arch", "alexnet", "--epochs", "1", "--image-size", "12",
            "--output", run);
        var tooManyFolds = CliInProcess.Run("compare", "--data", data, "--arch", "lenet5", "--epochs", "1", "--image-size", "12",
            "--folds", "100", "--output", Path.Combine(TestFolders.Create(), "compare"));

        CliInProcess.AssertFails(allFailed, "No trial completed", run);
        Assert.IsTrue(File.Exists(Path.Combine(run, ComparisonReport.JsonFile)), "the leaderboard says why");
        CliInProcess.AssertFails(tooManyFolds, "no test rows", "--folds");
        Assert.IsFalse(tooManyFolds.Output.Contains("Trial 1", StringComparison.Ordinal), tooManyFolds.Output);
    }
}
