using Microsoft.ML;
using MLNetCnn.Cli;
using MLNetCnn.Cli.Commands;
using MLNetCnn.Cli.Progress;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Pretrained;
using MLNetCnn.Tests.Pretrained;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class TrainCommandTests
{
    [TestMethod]
    public void ByDefaultTrainsResNet8OnACycleAndWritesTheModelAndAReportWhoseFiguresAreRealImages()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 3, perClass: 8);
        string run = Path.Combine(TestFolders.Create(), "run");

        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--epochs", "2", "--batch-size", "8", "--image-size", "12",
            "--validation-fraction", "0.25", "--test-fraction", "0.25", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "Epoch 2/2");
        StringAssert.Contains(output, "Micro accuracy");
        Assert.IsFalse(output.Contains('\u001b', StringComparison.Ordinal), "no escape codes when output is not a terminal");
        Assert.IsGreaterThan(10_000L, new FileInfo(Path.Combine(run, "model.zip")).Length);
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, ReportFolder.MetricsFile)));
        Assert.HasCount(2, report.History);
        Assert.IsNotNull(report.History[1].ValidationAccuracy);
        Assert.AreEqual("3x12x12", report.Input);
        Assert.AreEqual(TrainDefaults.Architecture, report.Architecture);
        Assert.AreEqual(0.005, report.Training!.LearningRate);
        Assert.IsLessThan(0.005 / 1000, report.History[1].LearningRate, "one cycle ends near zero");
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, report.Test.Classes.Select(c => c.Name).ToArray());
        Assert.AreEqual(report.Test.Images, report.Test.Classes.Sum(c => c.Support));
        CollectionAssert.AreEquivalent(
            new[] { ReportFolder.LearningCurvesFile, ReportFolder.ConfusionMatrixFile, ReportFolder.KernelsFile,
                ReportFolder.TopLossesFile },
            report.Figures.Select(f => f.File).ToArray());
        Assert.HasCount((int)report.Test.Images, report.TopLosses, "every test image, fewer than the 16 shown by default");
        CollectionAssert.AreEqual(report.TopLosses.OrderByDescending(l => l.Loss).ToArray(), report.TopLosses.ToArray(),
            "highest loss first");
        AssertFiguresAreImagesOfTheirStatedSize(run, report);
        string summary = File.ReadAllText(Path.Combine(run, ReportFolder.SummaryFile));
        foreach (var figure in report.Figures)
            StringAssert.Contains(summary, $"]({figure.File})");
        StringAssert.Contains(summary, $"]({ReportFolder.MetricsFile})");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheOneCycleRecipeIsResNet8sFromScratchAndOtherRunsKeepTheTrainersDefaults()
    {
        Assert.AreSame(TrainDefaults.Recipe, TrainDefaults.For(null, null));
        Assert.AreSame(TrainDefaults.Recipe, TrainDefaults.For("ResNet8", null));
        Assert.AreEqual(ScheduleKind.OneCycle, TrainDefaults.Recipe.Schedule);
        Assert.AreSame(TrainDefaults.Otherwise, TrainDefaults.For("lenet5", null));
        Assert.AreSame(TrainDefaults.Otherwise, TrainDefaults.For(null, "resnet8.safetensors"));
        Assert.AreEqual(ScheduleKind.Constant, TrainDefaults.Otherwise.Schedule);
    }

    [TestMethod]
    public void FineTunesPretrainedWeightsWithAFrozenBackboneFromItsFlagsAtAConstantRate()
    {
        string folder = TestFolders.Create();
        using var source = ModelZoo.Create("lenet5", new ModelSpec(new ImageShape(3, 32, 32), 10));
        string weights = WeightsFiles.Write(Path.Combine(folder, "lenet5.weights"), "lenet5", 10, WeightsFiles.StateOf(source));
        var data = ImageFiles.ClassFolder(Path.Combine(folder, "data"), classes: 2, perClass: 6);
        string run = Path.Combine(folder, "run");

        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--weights", weights, "--freeze-backbone-epochs", "2",
            "--backbone-lr-factor", "0.5", "--epochs", "2", "--batch-size", "4", "--image-size", "32", "--validation-fraction", "0", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, $"Training lenet5 from {weights}");
        var model = new MLContext().Model.Load(Path.Combine(run, TrainCommand.ModelFileName), out _);
        using var classifier = ((IEnumerable<ITransformer>)model).OfType<CnnClassificationTransformer>().Single();
        var trained = classifier.Model.Network.state_dict();
        var original = source.state_dict();
        var changed = original.Keys.Where(name => !name.StartsWith("classifier.output.", StringComparison.Ordinal) && !trained[name].eq(original[name]).all().item<bool>());
        CollectionAssert.AreEqual(Array.Empty<string>(), changed.ToArray(), "the frozen backbone keeps the file's weights");
        CollectionAssert.AreEqual(new long[] { 2, 84 }, trained["classifier.output.weight"].shape, "a new head for the two classes");
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, ReportFolder.MetricsFile)));
        CollectionAssert.AreEqual(new[] { 0.001, 0.001 }, report.History.Select(epoch => epoch.LearningRate).ToArray(),
            "the trainer's constant rate");
    }

    [TestMethod]
    public void ClassWeightsAndBalancedSamplingComeFromTheirFlags()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 3, perClass: 8);
        string run = Path.Combine(TestFolders.Create(), "run");

        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--arch", "lenet5", "--epochs", "4", "--batch-size", "8",
            "--image-size", "12", "--validation-fraction", "0", "--test-fraction", "0.25", "--class-weights", "0,1,1", "--balanced-sampling", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, ReportFolder.MetricsFile)));
        Assert.AreEqual(0, report.Test.Confusion.Sum(row => row[0]), "class a, of weight 0, is never predicted");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--data", data, "--class-weights", "1,x", "--output", TestFolders.Create()), "'x'");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--data", data, "--epochs", "1", "--image-size", "12", "--class-weights", "1,2",
            "--output", Path.Combine(TestFolders.Create(), "run")), "2 class weights were given for 3 classes");
    }

    [TestMethod]
    public void FineTunesATorchvisionStateDictThatPyTorchSaved()
    {
        string folder = TestFolders.Create();
        string weights = TorchvisionReference.File("resnet18.pth");
        var data = ImageFiles.ClassFolder(Path.Combine(folder, "data"), classes: 2, perClass: 4);
        string run = Path.Combine(folder, "run");

        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--weights", weights, "--freeze-backbone-epochs", "1",
            "--epochs", "1", "--batch-size", "4", "--image-size", "64", "--validation-fraction", "0", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, $"Training resnet18 from {weights}");
        var model = new MLContext().Model.Load(Path.Combine(run, TrainCommand.ModelFileName), out _);
        using var classifier = ((IEnumerable<ITransformer>)model).OfType<CnnClassificationTransformer>().Single();
        var expected = PretrainedWeights.Read(TorchvisionReference.WeightsFile("resnet18"));
        using var reference = CnnModel.FromPretrained(expected, new ImageShape(3, 64, 64), classCount: null, TorchSharp.torch.CPU);
        Assert.IsTrue(classifier.Model.Network.state_dict()["conv1.weight"].eq(reference.Network.state_dict()["conv1.weight"]).all().item<bool>(),
            "the frozen backbone holds torchvision's weights");
    }

    [TestMethod]
    public void AnUnknownArchitectureFailsWithOneLineNamingTheRegisteredOnes()
    {
        var result = CliInProcess.Run("train", "--arch", "resnet-9000", "--output", TestFolders.Create());
        CliInProcess.AssertFails(result, "resnet-9000", "lenet5");
    }

    [TestMethod]
    public void AFailedRunLeavesTheRunFolderAsItWas()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 2);
        string run = TestFolders.Create();
        string model = Path.Combine(run, "model.zip");
        File.WriteAllText(model, "an earlier model");
        string truncated = ImageFiles.Write(Path.Combine(data, "a", "cut.png"), 0, width: 40, height: 40);
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..100]);

        CliInProcess.AssertFails(CliInProcess.Run("train", "--data", data, "--output", run, "--overwrite"), truncated, "truncated");
        File.Delete(truncated);
        CliInProcess.AssertFails(CliInProcess.Run("train", "--data", data, "--epochs", "0", "--output", run, "--overwrite"), "Epochs");

        CollectionAssert.AreEqual(new[] { model }, Directory.GetFileSystemEntries(run));
        Assert.AreEqual("an earlier model", File.ReadAllText(model));
    }

    [TestMethod]
    public void MissingOrUnrecognisedDataFailsNamingIt()
    {
        var folder = TestFolders.Create();
        string missing = Path.Combine(folder, "nowhere");
        string unknown = Path.Combine(folder, "data.xyz");
        File.WriteAllText(unknown, "?");

        string run = Path.Combine(TestFolders.Create(), "run");

        CliInProcess.AssertFails(CliInProcess.Run("train", "--data", missing, "--output", run), missing);
        CliInProcess.AssertFails(CliInProcess.Run("train", "--data", unknown, "--output", run), unknown, ".csv");
        CliInProcess.AssertFails(CliInProcess.Run("train", "--data", folder, "--image-size", "12x", "--output", run), "--image-size");
    }

    [TestMethod]
    public void AnUnreadableImageStopsTrainingUnlessSkippedAndThenIsCounted()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 6);
        string broken = Path.Combine(data, "a", "broken.jpg");
        File.WriteAllBytes(broken, [0xFF, 0xD8, 0xFF, 0x00, 0x01]);
        string run = Path.Combine(TestFolders.Create(), "run");
        string[] arguments = ["train", "--data", data, "--epochs", "1", "--batch-size", "4", "--image-size", "12", "--channels", "1", "--output", run];

        var stopped = CliInProcess.Run(arguments);
        CliInProcess.AssertFails(stopped, broken);
        Assert.IsFalse(File.Exists(Path.Combine(run, "model.zip")), "nothing is written when the data is refused");

        var skipped = CliInProcess.Run([.. arguments, "--skip-unreadable"]);
        Assert.AreEqual(0, skipped.ExitCode, skipped.Error);
        StringAssert.Contains(skipped.Output, "Skipped 1 unreadable image file");
        StringAssert.Contains(skipped.Output, broken);
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, ReportFolder.MetricsFile)));
        Assert.AreEqual("1x12x12", report.Input);
        Assert.AreEqual(broken, report.SkippedImages.Single().Path);
    }

    [TestMethod]
    public void AValFolderBesideTrainAndTestIsTheValidationDataNotAClass()
    {
        var data = TestFolders.Create();
        foreach (var split in new[] { "train", "test", "val" })
            ImageFiles.ClassFolder(Path.Combine(data, split), classes: 2, perClass: split == "train" ? 6 : 2);
        string run = Path.Combine(TestFolders.Create(), "run");

        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--epochs", "1", "--batch-size", "4", "--image-size", "12",
            "--validation-fraction", "0", "--output", run);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "validating on its validation split");
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, ReportFolder.MetricsFile)));
        CollectionAssert.AreEqual(new[] { "a", "b" }, report.Test.Classes.Select(c => c.Name).ToArray());
        Assert.IsNotNull(report.History.Single().ValidationAccuracy, "validated on val/ although --validation-fraction is 0");
    }

    [TestMethod]
    public void AnOutputThatIsAFileOrBelowOneIsRefusedBeforeTraining()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 4);
        string file = Path.Combine(TestFolders.Create(), "taken");
        File.WriteAllText(file, "a file");

        foreach (var output in new[] { file, Path.Combine(file, "run") })
        {
            var result = CliInProcess.Run("train", "--data", data, "--epochs", "1", "--batch-size", "4", "--image-size", "12", "--output", output);
            CliInProcess.AssertFails(result, file, "is a file");
            Assert.IsFalse(result.Output.Contains("Epoch", StringComparison.Ordinal), result.Output);
        }
        Assert.AreEqual("a file", File.ReadAllText(file));
    }

    [TestMethod]
    public void ATestClassTheTrainingDataLacksIsRefusedBeforeTraining()
    {
        var data = TestFolders.Create();
        ImageFiles.ClassFolder(Path.Combine(data, "train"), classes: 2, perClass: 4);
        ImageFiles.ClassFolder(Path.Combine(data, "test"), classes: 3, perClass: 1);

        var result = CliInProcess.Run("train", "--data", data, "--epochs", "1", "--batch-size", "4", "--image-size", "12",
            "--output", Path.Combine(TestFolders.Create(), "run"));

        CliInProcess.AssertFails(result, "test data", "'c'");
        Assert.IsFalse(result.Output.Contains("Epoch", StringComparison.Ordinal), result.Output);
    }

    [TestMethod]
    public void AnImageOverThePixelLimitStopsTrainingNamingTheFileUnlessSkipped()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 4);
        string large = ImageFiles.Write(Path.Combine(data, "a", "large.png"), 0, width: 40, height: 40);
        string run = Path.Combine(TestFolders.Create(), "run");
        string[] arguments = ["train", "--data", data, "--epochs", "1", "--batch-size", "4", "--image-size", "12", "--max-image-pixels", "1000",
            "--output", run];

        CliInProcess.AssertFails(CliInProcess.Run(arguments), large, "40x40", "--max-image-pixels");
        var skipped = CliInProcess.Run([.. arguments, "--skip-unreadable"]);

        Assert.AreEqual(0, skipped.ExitCode, skipped.Error);
        StringAssert.Contains(skipped.Output, "Skipped 1 unreadable image file");
    }

    [TestMethod]
    public void AnExistingRunFolderIsReplacedOnlyWithOverwriteAndAsAWhole()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 4);
        string run = Path.Combine(TestFolders.Create(), "run");
        string[] arguments = ["train", "--data", data, "--epochs", "1", "--batch-size", "4", "--image-size", "12", "--output", run];
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "notes.txt"), "from an earlier run");

        CliInProcess.AssertFails(CliInProcess.Run(arguments), run, "--overwrite");
        Assert.AreEqual("from an earlier run", File.ReadAllText(Path.Combine(run, "notes.txt")));
        var replaced = CliInProcess.Run([.. arguments, "--overwrite"]);

        Assert.AreEqual(0, replaced.ExitCode, replaced.Error);
        Assert.IsFalse(File.Exists(Path.Combine(run, "notes.txt")), "the old folder is replaced as a whole, not mixed with the new one");
        Assert.IsTrue(File.Exists(Path.Combine(run, TrainCommand.ModelFileName)));
        CollectionAssert.AreEqual(new[] { "run" }, Directory.GetFileSystemEntries(Path.GetDirectoryName(run)!).Select(Path.GetFileName).ToArray(),
            "no temporary folder or lock file is left beside it");
    }

    [TestMethod]
    public void ARunFolderAnotherRunHoldsIsRefused()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 4);
        string run = Path.Combine(TestFolders.Create(), "run");
        using (RunFolder.Begin(run, overwrite: false))
        {
            var result = CliInProcess.Run("train", "--data", data, "--epochs", "1", "--batch-size", "4", "--image-size", "12", "--output", run);
            CliInProcess.AssertFails(result, "Another run is writing", run);
        }
    }

    [TestMethod]
    public void CtrlCStopsTrainingAfterTheCurrentStepSavesTheRunAndSaysHowToResume()
    {
        string folder = TestFolders.Create();
        string run = Path.Combine(folder, "run");
        string checkpoints = Path.Combine(folder, "checkpoints");
        // A test run started in the background (`cmd &` in a script) inherits SIGINT ignored, and .NET leaves an ignored
        // SIGINT ignored, as a shell's background job expects: coreutils' env gives the child the default handling back.
        var start = new System.Diagnostics.ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in new[] { "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "MLNetCnn.Cli.dll"), "train",
            "--epochs", "200", "--batch-size", "64",
            "--validation-fraction", "0", "--checkpoints", checkpoints, "--output", run })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            output.AppendLine(line);
            if (line.StartsWith("Epoch 1/200", StringComparison.Ordinal))
                break;
        }
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", $"{process.Id}"]))
            kill.WaitForExit();
        output.Append(process.StandardOutput.ReadToEnd());
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("training did not stop after Ctrl-C:" + output);
        }

        Assert.AreEqual(1, process.ExitCode, output + error.Result);
        StringAssert.Contains(error.Result, "Interrupted (Ctrl-C) after epoch");
        StringAssert.Contains(error.Result, "--resume");
        var report = RunReport.FromJson(File.ReadAllText(Path.Combine(run, ReportFolder.MetricsFile)));
        Assert.IsLessThan(200, report.History.Count, "stopped early");
        Assert.IsTrue(File.Exists(Path.Combine(run, TrainCommand.ModelFileName)));
        Assert.IsTrue(File.Exists(Path.Combine(checkpoints, "checkpoint.bin")));
    }

    [TestMethod]
    public void EveryCommandHasHelp()
    {
        foreach (var command in new[] { "train", "evaluate", "predict" })
        {
            var (exitCode, output, _) = CliInProcess.Run(command, "--help");
            Assert.AreEqual(0, exitCode, command);
            StringAssert.Contains(output, "--skip-unreadable", command);
            StringAssert.Contains(output, "--max-image-pixels", command);
        }
        var (rootExit, rootOutput, _) = CliInProcess.Run("--help");
        Assert.AreEqual(0, rootExit);
        StringAssert.Contains(rootOutput, "evaluate");
    }

    [TestMethod]
    public void ATerminalGetsProgressBarsAndARedirectedOutputPlainEpochLines()
    {
        static string Show(bool interactive)
        {
            var output = new StringWriter();
            var console = new CliConsole(output, new StringWriter(), interactive);
            TrainingProgress.Run(console, epochs: 1, progress =>
            {
                progress.Step(new StepReport(1, 1, 2, 8, 0.9, 0.5));
                progress.Step(new StepReport(1, 2, 2, 16, 0.7, 0.6));
                progress.Epoch(new EpochReport(1, 1, 0.7, 0.6, null, null, 1e-3, 100, TimeSpan.FromSeconds(1)));
                return 0;
            });
            return output.ToString();
        }

        string terminal = Show(interactive: true);
        string plain = Show(interactive: false);

        StringAssert.Contains(terminal, "Epochs");
        StringAssert.Contains(terminal, "━");
        StringAssert.Contains(plain, "Epoch 1/1: loss 0.7000");
        Assert.IsFalse(plain.Contains('\u001b', StringComparison.Ordinal));
    }

    internal static void AssertFiguresAreImagesOfTheirStatedSize(string folder, RunReport report)
    {
        Assert.IsNotEmpty(report.Figures);
        foreach (var figure in report.Figures)
        {
            var (width, height, colours) = ImageFiles.Inspect(Path.Combine(folder, figure.File));
            Assert.AreEqual((figure.Width, figure.Height), (width, height), figure.File);
            Assert.IsGreaterThan(1, colours, figure.File);
        }
    }
}
