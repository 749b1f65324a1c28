using System.Diagnostics;

namespace MLNetCnn.Tests.Packaging;

/// <summary>Runs the .NET SDK's <c>dotnet</c> in a child process, without leaving MSBuild nodes behind.</summary>
internal static class DotnetCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="folder"/>: the exit code and all output.</summary>
    public static (int ExitCode, string Output) Run(string folder, string[] arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return BoundedProcess.Run(start, Timeout);
    }

    /// <summary>Like <see cref="Run"/>, and fails the test with the command's output unless it succeeds.</summary>
    public static string Succeed(string folder, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, output) = Run(folder, arguments, environment);
        Assert.AreEqual(0, exitCode, $"dotnet {string.Join(' ', arguments)} failed:{Environment.NewLine}{output}");
        return output;
    }
}
