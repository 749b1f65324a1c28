using System.Diagnostics;

namespace MLNetCnn.Tests.Cli;

/// <summary>Runs the command line in a child process, as a user would.</summary>
internal static class CliProcess
{
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MLNetCnn.Cli.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mlnetcnn {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }
        return (process.ExitCode, output + error.Result);
    }
}
