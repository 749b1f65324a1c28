using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Cli;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Data;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class EvaluateCommandTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void EvaluatesASavedModelOnAnImageFolderAndWritesAReport()
    {
        string report = Path.Combine(TestFolders.Create(), "report");

        var (exitCode, output, error) = CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", TrainedCliModel.Data, "--output", report);

        Assert.AreEqual(0, exitCode, error + output);
        foreach (var expected in new[] { "Micro accuracy", "Macro accuracy", "Log-loss", "Precision", "Recall", "Confusion table", "│ c " })
            StringAssert.Contains(output, expected);
        var metrics = RunReport.FromJson(File.ReadAllText(Path.Combine(report, ReportFolder.MetricsFile)));
        Assert.AreEqual(24, metrics.Test.Images);
        Assert.IsGreaterThan(0.5, metrics.Test.MicroAccuracy, "three epochs learn the bars");
        CollectionAssert.AreEquivalent(new[] { ReportFolder.ConfusionMatrixFile, ReportFolder.KernelsFile, ReportFolder.TopLossesFile },
            metrics.Figures.Select(f => f.File).ToArray());
        TrainCommandTests.AssertFiguresAreImagesOfTheirStatedSize(report, metrics);
        Assert.IsTrue(File.Exists(Path.Combine(report, ReportFolder.SummaryFile)));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheTopLossesAreTheImagesWithTheHighestLossHighestFirst()
    {
        string report = Path.Combine(TestFolders.Create(), "report");

        var (exitCode, output, error) = CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", TrainedCliModel.Data, "--top-losses", "5",
            "--output", report);

        Assert.AreEqual(0, exitCode, error + output);
        var metrics = RunReport.FromJson(File.ReadAllText(Path.Combine(report, ReportFolder.MetricsFile)));
        var expected = LossesOfEveryImage().OrderByDescending(e => e.Value).Take(5).ToList();
        CollectionAssert.AreEqual(expected.Select(e => e.Key).ToArray(), metrics.TopLosses.Select(l => l.Image).ToArray(), "the five highest losses, in order");
        for (int i = 0; i < 5; i++)
        {
            var loss = metrics.TopLosses[i];
            Assert.AreEqual(expected[i].Value, loss.Loss, 1e-4, loss.Image);
            Assert.AreEqual(Math.Exp(-loss.Loss), loss.TrueProbability, 1e-6);
            Assert.AreEqual(Path.GetFileName(Path.GetDirectoryName(loss.Image)), loss.TrueLabel, "the class folder is the label");
        }
        Assert.Contains(f => f.File == ReportFolder.TopLossesFile, metrics.Figures);
        TrainCommandTests.AssertFiguresAreImagesOfTheirStatedSize(report, metrics);
        StringAssert.Contains(File.ReadAllText(Path.Combine(report, ReportFolder.SummaryFile)), $"]({ReportFolder.TopLossesFile})");
        CliInProcess.AssertFails(CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", TrainedCliModel.Data, "--top-losses", "-1"),
            "--top-losses must be 0 or more");
    }

    /// <summary>Every image's log-loss, by file, computed apart from the command: the saved pipeline scores the class folder.</summary>
    private static Dictionary<string, double> LossesOfEveryImage()
    {
        var mlContext = new MLContext(seed: 1);
        using var model = ModelFile.Load(mlContext, TrainedCliModel.Model);
        var classifier = model.Classifier;
        var data = TrainedCliModel.LoadData(mlContext, classifier.FeatureColumnName);
        var scored = classifier.Transform(data);
        var paths = scored.GetColumn<string>("ImagePath").ToArray();
        var labels = scored.GetColumn<string>("Label").ToArray();
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        return Enumerable.Range(0, paths.Length).ToDictionary(i => paths[i], i => -Math.Log(scores[i][classifier.ClassNames.ToList().IndexOf(labels[i])]));
    }

    [TestMethod]
    public void TopKAccuracyIsReportedForTheKAskedForAndNotByDefaultForThreeClasses()
    {
        string report = Path.Combine(TestFolders.Create(), "report");

        var (exitCode, output, error) = CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", TrainedCliModel.Data, "--top-k", "2", "--output", report);
        var byDefault = CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", TrainedCliModel.Data);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "Top-2 accuracy");
        var metrics = RunReport.FromJson(File.ReadAllText(Path.Combine(report, ReportFolder.MetricsFile))).Test;
        Assert.AreEqual(2, metrics.TopK);
        Assert.IsGreaterThanOrEqualTo(metrics.MicroAccuracy, metrics.TopKAccuracy!.Value);
        Assert.IsLessThanOrEqualTo(1.0, metrics.TopKAccuracy!.Value);
        StringAssert.Contains(File.ReadAllText(Path.Combine(report, ReportFolder.SummaryFile)), "| Top-2 accuracy |");
        Assert.AreEqual(0, byDefault.ExitCode, byDefault.Error);
        Assert.DoesNotContain("Top-", byDefault.Output);
        CliInProcess.AssertFails(CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", TrainedCliModel.Data, "--top-k", "4"), "3 classes; it is 4");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void EvaluatesOnACsvListOfImagesOfOtherSizesAndFormats()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "one.jpg"), 0, width: 30, height: 20);
        ImageFiles.Write(Path.Combine(folder, "two.png"), 1, width: 7, height: 7, grey: true);
        string list = Path.Combine(folder, "test.csv");
        File.WriteAllLines(list, ["path,label", "one.jpg,a", "two.png,b"]);

        var (exitCode, output, error) = CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", list);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "│ Images         │ 2 ");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ImagesOfTheWrongShapeFailNamingBothShapes()
    {
        string batch = Path.Combine(TestFolders.Create(), "test_batch.bin");
        File.WriteAllBytes(batch, [.. MLNetCnn.Tests.Data.CifarTests.Record(CifarVariant.Cifar10, 1, seed: 1), .. MLNetCnn.Tests.Data.CifarTests.Record(CifarVariant.Cifar10, 2, seed: 2)]);

        CliInProcess.AssertFails(CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", batch), "3x32x32", "3x12x12");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void LabelsTheModelDoesNotKnowAreNamed()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "zebra", "1.png"), 0);
        ImageFiles.Write(Path.Combine(folder, "a", "1.png"), 0);

        CliInProcess.AssertFails(CliInProcess.Run("evaluate", TrainedCliModel.Model, "--data", folder), "zebra", "a, b, c");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AMissingModelOrAFileThatIsNoModelFailsNamingIt()
    {
        var folder = TestFolders.Create();
        string missing = Path.Combine(folder, "missing.zip");
        string notAModel = Path.Combine(folder, "notes.zip");
        File.WriteAllText(notAModel, "just text");

        CliInProcess.AssertFails(CliInProcess.Run("evaluate", missing, "--data", TrainedCliModel.Data), missing);
        CliInProcess.AssertFails(CliInProcess.Run("evaluate", notAModel, "--data", TrainedCliModel.Data), notAModel);
    }
}
