using System.Diagnostics;

namespace MLNetCnn.Tests.Cli;

/// <summary>Runs the command line in a child process, as a user would.</summary>
internal static class CliProcess
{
    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MLNetCnn.Cli.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return BoundedProcess.Run(start, TimeSpan.FromMinutes(5));
    }
}
