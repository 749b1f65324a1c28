using System.Text.Json;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class PredictCommandTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void PrintsTheTopClassesOfFilesAndFoldersAsATable()
    {
        var folder = TestFolders.Create();
        string single = ImageFiles.Write(Path.Combine(folder, "single.jpg"), 2, width: 25, height: 14);
        ImageFiles.Write(Path.Combine(folder, "more", "first.png"), 0);
        ImageFiles.Write(Path.Combine(folder, "more", "second.png"), 1, grey: true);

        var (exitCode, output, error) = CliInProcess.Run("predict", TrainedCliModel.Model, single, Path.Combine(folder, "more"), "--top", "2");

        Assert.AreEqual(0, exitCode, error + output);
        foreach (var expected in new[] { "Prediction", "#2", "single.jpg", "first.png", "second.png", "%)" })
            StringAssert.Contains(output, expected);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void WritesJsonWithTheTopKClassesByFallingProbability()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "x.png"), 0);
        ImageFiles.Write(Path.Combine(folder, "y.png"), 1, width: 40, height: 40, grey: true);

        var (exitCode, output, error) = CliInProcess.Run("predict", TrainedCliModel.Model, folder, "--format", "json", "-k", "2");

        Assert.AreEqual(0, exitCode, error + output);
        using var json = JsonDocument.Parse(output);
        var predictions = json.RootElement.EnumerateArray().ToArray();
        Assert.HasCount(2, predictions);
        Assert.AreEqual(Path.Combine(folder, "x.png"), predictions[0].GetProperty("file").GetString());
        foreach (var prediction in predictions)
        {
            var classes = prediction.GetProperty("classes").EnumerateArray().ToArray();
            Assert.HasCount(2, classes);
            var probabilities = classes.Select(c => c.GetProperty("probability").GetDouble()).ToArray();
            Assert.IsGreaterThanOrEqualTo(probabilities[1], probabilities[0]);
            Assert.IsLessThan(1.0001, probabilities.Sum());
            CollectionAssert.IsSubsetOf(classes.Select(c => c.GetProperty("name").GetString()).ToArray(), new[] { "a", "b", "c" });
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnUnreadableImageFailsNamingItUnlessSkipped()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "good.png"), 0);
        string bad = Path.Combine(folder, "bad.png");
        File.WriteAllText(bad, "not a png");

        CliInProcess.AssertFails(CliInProcess.Run("predict", TrainedCliModel.Model, folder), bad);
        var (exitCode, output, error) = CliInProcess.Run("predict", TrainedCliModel.Model, folder, "--skip-unreadable");
        Assert.AreEqual(0, exitCode, error);
        StringAssert.Contains(output, "Skipped 1 unreadable image file");
        StringAssert.Contains(output, "good.png");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void BadArgumentsFailWithOneLine()
    {
        CliInProcess.AssertFails(CliInProcess.Run("predict", TrainedCliModel.Model, Path.Combine(TestFolders.Create(), "none.png")), "none.png");
        CliInProcess.AssertFails(CliInProcess.Run("predict", TrainedCliModel.Model, TrainedCliModel.Data, "--top", "0"), "--top");
        var noImages = CliInProcess.Run("predict", TrainedCliModel.Model);
        Assert.AreNotEqual(0, noImages.ExitCode);
    }
}
