using System.Diagnostics;

namespace MLNetCnn.Tests;

/// <summary>Runs a child process to its end within a time limit, for the tests that drive a program as a user would.</summary>
internal static class BoundedProcess
{
    /// <summary>
    /// Starts <paramref name="start"/> with its output and errors captured and waits up to <paramref name="limit"/>; past it,
    /// kills the whole process tree and fails the test. Returns the exit code and the output followed by the errors.
    /// </summary>
    public static (int ExitCode, string Output) Run(ProcessStartInfo start, TimeSpan limit)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{string.Join(' ', [start.FileName, .. start.ArgumentList])} did not finish within {limit.TotalMinutes:G3} minutes.");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }
}
