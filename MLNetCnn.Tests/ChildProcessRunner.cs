using System.Diagnostics;

namespace MLNetCnn.Tests;

/// <summary>Runs the fault tests' child process (MLNetCnn.Tests.ChildProcess) and kills it in the middle of its work.</summary>
internal static class ChildProcessRunner
{
    /// <summary>
    /// Starts the child with <paramref name="arguments"/>, waits until it prints <paramref name="line"/>, lets it go on
    /// for <paramref name="delay"/>, kills it with SIGKILL and returns its process id.
    /// </summary>
    public static int KillAfter(string line, TimeSpan delay, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MLNetCnn.Tests.ChildProcess.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            string? read;
            while ((read = process.StandardOutput.ReadLine()) is not null && read != line)
            {
            }
            Assert.AreEqual(line, read, $"the child got as far as '{line}': {(process.HasExited ? errors.Result : "")}");
            Thread.Sleep(delay);
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
        return process.Id;
    }
}
