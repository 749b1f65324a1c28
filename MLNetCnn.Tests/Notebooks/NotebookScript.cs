using System.Diagnostics;
using System.Reflection;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>The outcome of <c>scripts/run-notebooks.sh</c>: its exit code, everything it printed, and where it wrote the executed
/// notebooks.</summary>
internal sealed record NotebookScriptRun(int ExitCode, string Output, string OutputFolder)
{
    /// <summary>The executed copy of a notebook, with its outputs.</summary>
    public Notebook Executed(string fileName)
    {
        string path = Path.Combine(OutputFolder, fileName);
        Assert.IsTrue(File.Exists(path), $"{fileName} did not run to its end in the kernel:\n{Output}");
        return Notebook.Load(path);
    }
}

/// <summary>
/// Runs notebooks in the real .NET Interactive kernel through <c>scripts/run-notebooks.sh</c>, the script that
/// regenerates the committed outputs: against this test run's build (same configuration, packed into a temporary
/// folder), each notebook in a folder of its own, failing on any cell error or warning.
/// </summary>
internal static class NotebookScript
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(25);

    /// <summary>Runs <paramref name="notebooks"/> (paths; none: all of <c>notebooks/</c>).</summary>
    public static NotebookScriptRun Run(IEnumerable<string> notebooks)
    {
        string output = TestFolders.Create();
        var start = new ProcessStartInfo("bash") { WorkingDirectory = RepositoryFolder.Root };
        foreach (var argument in new[] { Path.Combine(RepositoryFolder.Root, "scripts", "run-notebooks.sh"), "-c", Configuration, "--no-build", "--output", output })
            start.ArgumentList.Add(argument);
        foreach (var notebook in notebooks)
            start.ArgumentList.Add(notebook);
        start.Environment["MLNETCNN_LOCAL_PACKAGES"] = TestFolders.Create();

        var (exitCode, printed) = BoundedProcess.Run(start, Limit);
        return new NotebookScriptRun(exitCode, printed, output);
    }

    // The notebooks run against the build this test run uses.
    private static string Configuration =>
        typeof(NotebookScript).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
}
