using System.Globalization;
using System.Text.RegularExpressions;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>
/// Runs every notebook in <c>notebooks/</c> cell by cell against this build (see <see cref="NotebookRunner"/>): a cell that
/// no longer compiles against the public API, or throws, fails its notebook's test. Each test also checks what the notebook
/// promises its reader: the opening says what it shows and needs, how to reference the packages or a local build and how
/// to scale up on a GPU, and every picture it displays is a real PNG of the size its HTML states.
/// </summary>
[TestClass]
public sealed partial class NotebookTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void QuickstartTrainsWithProgressEvaluatesShowsItsPicturesAndReloadsTheSameModel()
    {
        var run = Run("01-quickstart.ipynb");

        AssertPictures(run, count: 4);
        StringAssert.Contains(run.Text, "Epoch 1/2: loss");
        StringAssert.Contains(run.Text, "Epoch 2/2: loss");
        var accuracy = ReloadedAccuracy().Match(run.Text);
        Assert.IsTrue(accuracy.Success, run.Text);
        Assert.AreEqual(accuracy.Groups["before"].Value, accuracy.Groups["after"].Value, "the loaded model scores as the trained one");
        Assert.IsGreaterThan(30.0, double.Parse(accuracy.Groups["after"].Value, CultureInfo.InvariantCulture), "ten classes: chance is 10 %");
        var perClass = run.Tables.Single(t => t.Columns.Contains("Recall"));
        Assert.HasCount(10, perClass.Rows);
    }

    [TestMethod]
    public void ArchitecturesSummarisesAndTablesEveryFamilyAndDrawsLeNetKernelsBeforeAndAfterTraining()
    {
        var run = Run("02-architectures.ipynb");

        AssertPictures(run, count: 2);
        var (untrained, trained) = (run.Images.First(), run.Images.Last());
        Assert.AreEqual((untrained.Width, untrained.Height), (trained.Width, trained.Height), "the same six 5x5 kernels");
        CollectionAssert.AreNotEqual(untrained.Png, trained.Png, "training changed the kernels");
        Assert.AreEqual(8, Regex.Count(run.Text, @"Layer \(type\)"), "a summary per family");
        var table = run.Tables.Single();
        CollectionAssert.AreEqual(new[] { "lenet5", "alexnet", "zfnet", "vgg16", "googlenet", "resnet18", "resnet20", "mobilenet-v1" }, table.Rows.Select(r => r[0]).ToArray());
        int parameters = table.Columns.ToList().IndexOf("Parameters");
        Assert.IsTrue(table.Rows.All(r => long.Parse(r[parameters], NumberStyles.AllowThousands, CultureInfo.InvariantCulture) > 0));
        StringAssert.Contains(run.Text, "Epoch 2/2: loss");
    }

    [TestMethod]
    public void AugmentationShowsEveryRandomStageOnRealImagesAndScoringWithoutThem()
    {
        var run = Run("03-augmentation.ipynb");

        AssertPictures(run, count: 10);
        StringAssert.Contains(run.Text, "Scoring with the fitted pipeline leaves the images as they were: True");
        var statistics = run.Tables.Single();
        CollectionAssert.AreEqual(new[] { "after", "0.000", "1.000" }, statistics.Rows[1].ToArray());
        foreach (var stage in new[] { "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomResizedCrop", "RandomAffine", "ColorJitter", "PcaLighting", "RandomErasing" })
            Assert.IsTrue(run.Notebook.Cells.Any(c => c.IsCode && c.Source.Contains($"Transforms.{stage}(", StringComparison.Ordinal)), $"a gallery of {stage}");
    }

    [TestMethod]
    public void CompareRanksTheCandidatesRecordsTheFailingOneChartsThemAndSavesTheBest()
    {
        var run = Run("04-compare.ipynb");

        AssertPictures(run, count: 1);
        var leaderboard = run.Tables.First();
        var column = leaderboard.Columns.Select((name, i) => (name, i)).ToDictionary(c => c.name, c => c.i);
        Assert.HasCount(5, leaderboard.Rows);
        var statuses = leaderboard.Rows.Select(r => r[column["Status"]]).ToArray();
        CollectionAssert.AreEqual(new[] { "Completed", "Completed", "Completed", "Completed", "Failed" }, statuses);
        var accuracies = leaderboard.Rows.Take(4).Select(r => double.Parse(r[column["MicroAccuracy"]].TrimEnd('%', ' '), CultureInfo.InvariantCulture)).ToList();
        CollectionAssert.AreEqual(accuracies.OrderDescending().ToList(), accuracies, "best first");
        StringAssert.Contains(leaderboard.Rows[4][column["Error"]], "'alfa'");
        StringAssert.Contains(run.Text, "Best: ");
        StringAssert.Contains(run.Text, "Saved best-model.zip");
        Assert.HasCount(3, run.Tables.Last().Rows, "three trials of the random search");
    }

    private NotebookRun Run(string fileName)
    {
        var run = NotebookRunner.Run(fileName);
        TestContext.WriteLine($"{fileName}: {run.Timing}");
        AssertOpening(run.Notebook);
        return run;
    }

    private static void AssertOpening(Notebook notebook)
    {
        var opening = notebook.Cells[0];
        Assert.IsFalse(opening.IsCode, $"{notebook.Name} opens with text");
        foreach (var promise in new[] { "**What this shows.**", "**What it needs.**", "#r \"nuget: ", "#i \"nuget: ", "dotnet pack" })
            StringAssert.Contains(opening.Source, promise, $"{notebook.Name}'s opening");
        StringAssert.Contains(notebook.Cells[^1].Source, "GPU", $"{notebook.Name} ends with how to scale up on a GPU");
    }

    private static void AssertPictures(NotebookRun run, int count)
    {
        var images = run.Images.ToList();
        Assert.HasCount(count, images, $"{run.Notebook.Name}: pictures displayed");
        foreach (var image in images)
        {
            string where = $"{run.Notebook.Name}, cell {image.Cell}";
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image.Png[..4], $"{where}: a PNG");
            var (width, height, colours) = ImageFiles.Inspect(image.Png);
            Assert.AreEqual((image.Width, image.Height), (width, height), $"{where}: the stated size");
            Assert.IsGreaterThan(1, colours, $"{where}: more than one colour");
        }
    }

    [GeneratedRegex(@"Loaded model: micro accuracy (?<after>[\d.]+) ?% \(before saving: (?<before>[\d.]+) ?%\)")]
    private static partial Regex ReloadedAccuracy();
}
