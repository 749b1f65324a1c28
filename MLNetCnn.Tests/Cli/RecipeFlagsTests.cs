using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Augmentation;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class RecipeFlagsTests
{
    [TestMethod]
    public void TrainRunsAnAlexNetStyleRecipeAndAFamilyOptionFromItsFlags()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 6);
        string run = Path.Combine(TestFolders.Create(), "run");

        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--arch", "mobilenet-v1", "--option", "alpha=0.25",
            "--image-size", "40", "--augment", "crop-to=32,hflip,jitter=0.2", "--tta", "tencrop", "--epochs", "1", "--batch-size", "4",
            "--validation-fraction", "0", "--test-fraction", "0.25", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "Augmenting the training images: random crop of a smaller size (AlexNet's 224 of 256) (crop-to=32), " +
            "then random horizontal flip, then colour jitter (jitter=0.2).");
        using var model = (TransformerChain<ITransformer>)new MLContext().Model.LoadFromFile(Path.Combine(run, "model.zip"), out _);
        var classifier = model.OfType<CnnClassificationTransformer>().Single();
        Assert.AreEqual(TestTimeAugmentation.TenCrop, classifier.TestTimeAugmentation);
        Assert.AreEqual("3x32x32", classifier.Model.Spec.Input.ToString());
        Assert.AreEqual(0.25, classifier.Model.Spec.Option("alpha", 1));
        using var quarterWidth = CnnModel.Create("mobilenet-v1-0.25", classifier.Model.Spec with { Options = new Dictionary<string, double>() },
            MLNetCnn.Data.InputNormalization.Identity(3), TorchSharp.torch.CPU, seed: 1);
        Assert.AreEqual(Parameters(quarterWidth), Parameters(classifier.Model), "alpha=0.25 reached the network");
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, ReportFolder.MetricsFile)));
        Assert.IsGreaterThan(0L, (long)report.Test.Images, "the 40x40 test images were scored through their ten 32x32 crops");
        Assert.Contains(f => f.File == ReportFolder.TopLossesFile, report.Figures, "and their top losses drawn at 40x40");
        TrainCommandTests.AssertFiguresAreImagesOfTheirStatedSize(run, report);
    }

    [TestMethod]
    public void CompareTriesTheGivenStagesBothWaysWithTheRecipeFlags()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 6);
        string run = Path.Combine(TestFolders.Create(), "compare");

        var (exitCode, output, error) = CliInProcess.Run("compare", "--data", data, "--arch", "mobilenet-v1", "--option", "alpha=0.25",
            "--augment", "both:crop=2,hflip", "--tta", "hflip", "--epochs", "1", "--batch-size", "4", "--image-size", "32",
            "--holdout-fraction", "0.25", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        var report = ComparisonReport.FromJson(File.ReadAllText(Path.Combine(run, ComparisonReport.JsonFile)));
        CollectionAssert.AreEquivalent(new[] { false, true }, report.Rows.Select(r => r.Augmented).ToArray());
        Assert.IsTrue(report.Rows.All(r => r.ArchitectureOptions["alpha"] == 0.25), output);
        using var model = (TransformerChain<ITransformer>)new MLContext().Model.LoadFromFile(report.BestModel!, out _);
        Assert.AreEqual(TestTimeAugmentation.HorizontalFlip, model.OfType<CnnClassificationTransformer>().Single().TestTimeAugmentation);
    }

    [TestMethod]
    public void BadRecipeFlagsFailBeforeTrainingNamingTheFlagAndTheValue()
    {
        CliInProcess.AssertFails(CliInProcess.Run("train", "--augment", "hflip=2"), "--augment", "'hflip=2'", "probability");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--augment", "twirl"), "'twirl'", "crop-to");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--augment", "crop-to"), "crop-to=224");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--augment", "crop-to=24"), "--tta tencrop");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--tta", "fivecrop"), "--tta", "'fivecrop'");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--option", "alpha"), "--option 'alpha'", "name=number");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--option", "beta=2"), "beta");
        CliInProcess.AssertFails(CliInProcess.Run("compare", "--augment", "both:crop-to=24", "--tta", "tencrop"), "drop both");
    }

    private static long Parameters(CnnModel model) => model.Network.parameters().Sum(p => p.numel());
}
