using MLNetCnn.Data;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class SummaryCommandTests
{
    [TestMethod]
    public void PrintsTheLibrarysSummaryForTheGivenInputAndOptions()
    {
        var spec = new ModelSpec(new ImageShape(3, 32, 40), 10) { Options = new Dictionary<string, double> { ["alpha"] = 0.25 } };

        var (exitCode, output, error) = CliInProcess.Run("summary", "--arch", "mobilenet-v1", "--height", "32", "--width", "40", "--classes", "10", "--option", "alpha=0.25");

        Assert.AreEqual(0, exitCode, error);
        Assert.AreEqual(ModelSummary.Create("mobilenet-v1", spec).ToString(), output);
        StringAssert.StartsWith(output, "Model: mobilenet-v1, input 3x32x40, output 10");
    }

    [TestMethod]
    public void AnUnknownArchitectureOrAMalformedOptionFailsWithOneLine()
    {
        CliInProcess.AssertFails(CliInProcess.Run("summary", "--arch", "resnet9000"), "Unknown architecture 'resnet9000'");
        CliInProcess.AssertFails(CliInProcess.Run("summary", "--arch", "resnet20", "--option", "dilation"), "--option 'dilation' must be name=number");
        CliInProcess.AssertFails(CliInProcess.Run("summary", "--arch", "resnet20", "--option", "dilated_stages=1"), "resnet20 has no option 'dilated_stages'");
    }

    [TestMethod]
    public void ANativeLibtorchErrorIsOneLineAndItsTraceOnlyWithVerbose()
    {
        string[] arguments = ["summary", "--arch", "vgg19", "--height", "100000", "--width", "100000"];

        var quiet = CliInProcess.Run(arguments);
        var verbose = CliInProcess.Run([.. arguments, "--verbose"]);

        CliInProcess.AssertFails(quiet, "error: ");
        Assert.IsLessThan(400, quiet.Error.Length, quiet.Error);
        Assert.AreNotEqual(0, verbose.ExitCode);
        StringAssert.StartsWith(verbose.Error, quiet.Error.TrimEnd());
        StringAssert.Contains(verbose.Error, " at ");
    }

    [TestMethod]
    public void RunningOutOfMemoryIsOneErrorLineAndExitCodeOne()
    {
        var error = new StringWriter();
        var console = new MLNetCnn.Cli.CliConsole(new StringWriter(), error, isInteractive: false);

        int exitCode = MLNetCnn.Cli.CommandRunner.Run(console, () => throw new OutOfMemoryException("Array dimensions exceeded supported range."));

        Assert.AreEqual(1, exitCode);
        CliInProcess.AssertFails((exitCode, "", error.ToString()), "out of memory", "--batch-size");
    }
}
