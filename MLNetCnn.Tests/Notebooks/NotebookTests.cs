using System.Globalization;
using System.Text.RegularExpressions;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>
/// Runs every notebook in <c>notebooks/</c> in the real .NET Interactive kernel against this build (see
/// <see cref="NotebookScript"/>), once for all tests of this class: a cell that no longer compiles, throws (TorchSharp's
/// native library not loading among them) or shows a warning fails its notebook. Each test then checks what its
/// notebook shows the reader.
/// </summary>
[TestClass]
public sealed partial class NotebookTests
{
    private static readonly Lazy<NotebookScriptRun> AllNotebooks = new(
        () => NotebookScript.Run(Directory.GetFiles(RepositoryFolder.Notebooks, "*.ipynb").Order()),
        LazyThreadSafetyMode.ExecutionAndPublication);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void QuickstartTrainsWithProgressEvaluatesShowsItsPicturesAndReloadsTheSameModel()
    {
        var notebook = Run("01-quickstart.ipynb");

        AssertPictures(notebook, count: 4);
        StringAssert.Contains(notebook.Text, "Epoch 1/2: loss");
        StringAssert.Contains(notebook.Text, "Epoch 2/2: loss");
        var accuracy = ReloadedAccuracy().Match(notebook.Text);
        Assert.IsTrue(accuracy.Success, notebook.Text);
        Assert.AreEqual(accuracy.Groups["before"].Value, accuracy.Groups["after"].Value, "the loaded model scores as the trained one");
        Assert.IsGreaterThan(30.0, double.Parse(accuracy.Groups["after"].Value, CultureInfo.InvariantCulture), "ten classes: chance is 10 %");
        Assert.AreEqual(10, Regex.Count(notebook.Text, @"\{ Class = [^,]+, Precision = [\d.]+ %, Recall = [\d.]+ % \}"), "precision and recall per class");
    }

    [TestMethod]
    public void ArchitecturesSummarisesAndTablesEveryFamilyAndDrawsLeNetKernelsBeforeAndAfterTraining()
    {
        var notebook = Run("02-architectures.ipynb");

        AssertPictures(notebook, count: 2);
        var (untrained, trained) = (notebook.Images.First(), notebook.Images.Last());
        var (before, after) = (ImageFiles.Inspect(untrained.Png), ImageFiles.Inspect(trained.Png));
        Assert.AreEqual((before.Width, before.Height), (after.Width, after.Height), "the same six 5x5 kernels");
        CollectionAssert.AreNotEqual(untrained.Png, trained.Png, "training changed the kernels");
        Assert.AreEqual(8, Regex.Count(notebook.Text, @"Layer \(type\)"), "a summary per family");
        var families = FamilyRow().Matches(notebook.Text).Select(m => m.Groups["name"].Value).ToArray();
        CollectionAssert.AreEqual(new[] { "lenet5", "alexnet", "zfnet", "vgg16", "googlenet", "resnet18", "resnet20", "mobilenet-v1" }, families);
        StringAssert.Contains(notebook.Text, "Epoch 2/2: loss");
    }

    [TestMethod]
    public void AugmentationShowsEveryRandomStageOnRealImagesAndScoringWithoutThem()
    {
        var notebook = Run("03-augmentation.ipynb");

        AssertPictures(notebook, count: 10);
        StringAssert.Contains(notebook.Text, "Scoring with the fitted pipeline leaves the images as they were: True");
        StringAssert.Contains(notebook.Text, "{ Pixels = after, Mean = 0.000, StandardDeviation = 1.000 }");
        foreach (var stage in new[] { "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomResizedCrop", "RandomAffine", "ColorJitter", "PcaLighting", "RandomErasing" })
            Assert.IsTrue(notebook.Cells.Any(c => c.IsCode && c.Source.Contains($"Transforms.{stage}(", StringComparison.Ordinal)), $"a gallery of {stage}");
    }

    [TestMethod]
    public void CompareRanksTheCandidatesRecordsTheFailingOneChartsThemAndSavesTheBest()
    {
        var notebook = Run("04-compare.ipynb");

        AssertPictures(notebook, count: 1);
        var trials = LeaderboardRow().Matches(notebook.Text).ToList();
        CollectionAssert.AreEqual(new[] { "Completed", "Completed", "Completed", "Completed", "Failed" }, trials.Select(t => t.Groups["status"].Value).ToArray());
        var accuracies = trials.Take(4).Select(t => double.Parse(t.Groups["accuracy"].Value, CultureInfo.InvariantCulture)).ToList();
        CollectionAssert.AreEqual(accuracies.OrderDescending().ToList(), accuracies, "best first");
        StringAssert.Contains(notebook.Text, "'alfa'");
        StringAssert.Contains(notebook.Text, "Best: ");
        StringAssert.Contains(notebook.Text, "Saved best-model.zip");
        Assert.AreEqual(3, Regex.Count(notebook.Text, @"\{ Candidate = lenet5[^}]*MicroAccuracy = [\d.]+ % \}"), "three trials of the random search");
    }

    [TestMethod]
    public void ExplanationsTrainOnImbalancedClassesAndShowHeatMapsFeatureMapsTopLossesAndNeighbours()
    {
        var notebook = Run("05-explanations.ipynb");

        AssertPictures(notebook, count: 8);
        StringAssert.Contains(notebook.Text, "Epoch 3/3: loss");
        var accuracy = ImbalancedAccuracy().Match(notebook.Text);
        Assert.IsTrue(accuracy.Success, notebook.Text);
        Assert.IsGreaterThan(30.0, double.Parse(accuracy.Groups["macro"].Value, CultureInfo.InvariantCulture), "ten classes: chance is 10 %");
        Assert.IsGreaterThanOrEqualTo(double.Parse(accuracy.Groups["micro"].Value, CultureInfo.InvariantCulture),
            double.Parse(accuracy.Groups["top5"].Value, CultureInfo.InvariantCulture));
        Assert.AreEqual(3, Regex.Count(notebook.Text, @"\{ Class = [^,]+, Rare = True, Recall = [\d.]+ % \}"), "the three rare classes' recall");
        StringAssert.Contains(notebook.Text, "Grad-CAM layer: features;");
        StringAssert.Contains(notebook.Text, "1000 embeddings of 84 values");
    }

    private Notebook Run(string fileName)
    {
        var run = AllNotebooks.Value;
        TestContext.WriteLine(Regex.Match(run.Output, $@"{Regex.Escape(fileName)}: ran in \d+ s").Value);
        var notebook = run.Executed(fileName);
        Assert.IsFalse(notebook.Outputs.OfType<ErrorOutput>().Any(), $"{fileName} ended with an error:\n{run.Output}");
        return notebook;
    }

    private static void AssertPictures(Notebook notebook, int count)
    {
        var images = notebook.Images.ToList();
        Assert.HasCount(count, images, $"{notebook.Name}: pictures displayed");
        foreach (var image in images)
        {
            string where = $"{notebook.Name}, cell {image.Cell}";
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image.Png[..4], $"{where}: a PNG");
            var (width, height, colours) = ImageFiles.Inspect(image.Png);
            Assert.IsTrue(width > 20 && height > 20, $"{where}: {width}x{height} pixels");
            Assert.IsGreaterThan(1, colours, $"{where}: more than one colour");
        }
    }

    [GeneratedRegex(@"Micro accuracy (?<micro>[\d.]+) ?%, macro accuracy (?<macro>[\d.]+) ?%, top-5 accuracy (?<top5>[\d.]+) ?%")]
    private static partial Regex ImbalancedAccuracy();

    [GeneratedRegex(@"Loaded model: micro accuracy (?<after>[\d.]+) ?% \(before saving: (?<before>[\d.]+) ?%\)")]
    private static partial Regex ReloadedAccuracy();

    [GeneratedRegex(@"\{ Architecture = (?<name>[\w-]+), Layers = \d+, Parameters = [\d,]+, MultiplyAdds = [\d,]+, WeightsMB = [\d.]+ \}")]
    private static partial Regex FamilyRow();

    [GeneratedRegex(@"\{ TrialNumber = \d+, Candidate = [^}]*?, Status = (?<status>\w+), MicroAccuracy = (?<accuracy>[\d.]*)")]
    private static partial Regex LeaderboardRow();
}
