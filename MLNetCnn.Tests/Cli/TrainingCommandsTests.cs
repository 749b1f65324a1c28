using System.Globalization;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class TrainingCommandsTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void LrFindPrintsASuggestedLearningRateAndWritesTheCurve()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 3, perClass: 12);
        string csv = Path.Combine(TestFolders.Create(), "lr.csv");

        var (exitCode, output, error) = CliInProcess.Run("lr-find", "--data", data, "--image-size", "12", "--batch-size", "8", "--steps", "20",
            "--start-lr", "1e-5", "--end-lr", "1", "--optimizer", "sgd", "--nesterov", "--csv", csv);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "Suggested learning rate:");
        var lines = File.ReadAllLines(csv);
        Assert.AreEqual("learning_rate,loss,smoothed_loss", lines[0]);
        Assert.IsGreaterThan(5, lines.Length);
        Assert.IsTrue(lines.Skip(1).All(line => line.Split(',').All(v => double.IsFinite(double.Parse(v, CultureInfo.InvariantCulture)))));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TrainTakesTheScheduleEarlyStoppingAndCheckpointFlags()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 3, perClass: 8);
        string run = Path.Combine(TestFolders.Create(), "run");
        string checkpoints = Path.Combine(run, "checkpoints");

        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--image-size", "12", "--epochs", "3", "--batch-size", "8",
            "--optimizer", "adamw", "--weight-decay", "0.01", "--label-smoothing", "0.1", "--clip-grad-norm", "5",
            "--schedule", "multistep", "--milestones", "1", "--gamma", "0.5", "--warmup-epochs", "0.5",
            "--validation-fraction", "0.25", "--test-fraction", "0.25", "--early-stopping", "5", "--monitor", "validationaccuracy",
            "--checkpoints", checkpoints, "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "Epoch 3/3");
        Assert.IsTrue(File.Exists(Path.Combine(checkpoints, "checkpoint.bin")));
        var (again, againOutput, againError) = CliInProcess.Run("train", "--data", data, "--image-size", "12", "--epochs", "3", "--batch-size", "8",
            "--optimizer", "adamw", "--schedule", "multistep", "--milestones", "1", "--warmup-epochs", "0.5",
            "--validation-fraction", "0.25", "--test-fraction", "0.25", "--checkpoints", checkpoints, "--resume", "--output", run);
        Assert.AreEqual(0, again, againError + againOutput);
        StringAssert.Contains(againOutput, "resumed from a checkpoint");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnOptionOutOfRangeFailsNamingIt()
    {
        var result = CliInProcess.Run("train", "--label-smoothing", "1.5", "--output", TestFolders.Create());
        CliInProcess.AssertFails(result, "LabelSmoothing");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void FlagsTheDefaultOneCycleRefusesAskForASchedule()
    {
        CliInProcess.AssertFails(CliInProcess.Run("train", "--warmup-epochs", "1", "--output", TestFolders.Create()),
            "--warmup-epochs needs a --schedule");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--backbone-lr-factor", "0.1", "--output", TestFolders.Create()),
            "--backbone-lr-factor needs a --schedule");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ErrorsAboutDevicesAndCheckpointsNameTheFlagsNotTheLibraryOptions()
    {
        var cuda = CliInProcess.Run("train", "--device", "cuda", "--epochs", "1", "--output", Path.Combine(TestFolders.Create(), "run"));
        var resume = CliInProcess.Run("train", "--resume", "--epochs", "1", "--output", Path.Combine(TestFolders.Create(), "run"));

        if (TorchSharp.torch.cuda.is_available())
            Assert.AreEqual(0, cuda.ExitCode, cuda.Error);
        else
            CliInProcess.AssertFails(cuda, "--device cuda", "--device cpu");
        Assert.IsFalse(cuda.Error.Contains("ComputeDevice", StringComparison.Ordinal) || cuda.Error.Contains("FallbackToCpu", StringComparison.Ordinal), cuda.Error);
        CliInProcess.AssertFails(resume, "--resume", "--checkpoints");
        Assert.IsFalse(resume.Error.Contains("CheckpointFolder", StringComparison.Ordinal), resume.Error);
    }
}
