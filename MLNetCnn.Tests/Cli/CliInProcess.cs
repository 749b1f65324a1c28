using MLNetCnn.Cli;

namespace MLNetCnn.Tests.Cli;

/// <summary>Runs the command line inside the test process, capturing its output as a redirected console would.</summary>
internal static class CliInProcess
{
    public static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = Program.Run(arguments, new CliConsole(output, error, isInteractive: false));
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Asserts a failure: a non-zero exit code and exactly one line of error that contains every fragment.</summary>
    public static void AssertFails((int ExitCode, string Output, string Error) result, params string[] fragments)
    {
        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, result.Error);
        foreach (var fragment in fragments)
            StringAssert.Contains(lines[0], fragment);
    }
}
