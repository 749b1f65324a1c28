using System.Diagnostics;

namespace MLNetCnn.Tests.Runtime;

[TestClass]
public sealed class ConcurrentNativeLoadTests
{
    private const int Processes = 8;

    /// <summary>
    /// An app folder without TorchSharp's native files (as in notebooks and scripts) makes the loader take them from the
    /// NuGet package folder and write its compatible copy to the per-user cache: eight processes starting at once on an
    /// empty cache all load, leave one copy and no temporary file, and change nothing in the package folder.
    /// </summary>
    [TestMethod]
    [TestCategory("Process")]
    public void EightProcessesStartingAtOnceOnAnEmptyCacheAllLoadAndLeaveOneCopy()
    {
        string app = TestFolders.Create();
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "MLNetCnn.Tests.ChildProcess.*.json")))
            File.Copy(file, Path.Combine(app, Path.GetFileName(file)));
        string cache = TestFolders.Create();
        string packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var before = Snapshot(packages);

        var children = Enumerable.Range(0, Processes).Select(_ => Start(app, cache)).ToList();
        var results = children
            .Select(child => (Output: child.StandardOutput.ReadToEndAsync(), Errors: child.StandardError.ReadToEndAsync()))
            .ToList();
        for (int i = 0; i < Processes; i++)
        {
            Assert.IsTrue(children[i].WaitForExit(TimeSpan.FromMinutes(5)), $"process {i} did not end");
            Assert.AreEqual(0, children[i].ExitCode, $"process {i}: {results[i].Errors.Result}");
            StringAssert.Contains(results[i].Output.Result, "sum 3");
            children[i].Dispose();
        }

        var written = Directory.GetFiles(cache, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList();
        Assert.HasCount(1, written, string.Join(", ", written));
        Assert.AreEqual("libLibTorchSharp.glibcxx-compat.so", written[0]);
        CollectionAssert.AreEquivalent(before, Snapshot(packages), "the shared package folder changed");
    }

    private static Process Start(string app, string cache)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = app };
        start.ArgumentList.Add(Path.Combine(app, "MLNetCnn.Tests.ChildProcess.dll"));
        start.ArgumentList.Add("load-torch");
        start.Environment["XDG_CACHE_HOME"] = cache;
        return Process.Start(start)!;
    }

    // The TorchSharp and libtorch packages' files with their sizes and times.
    private static List<string> Snapshot(string packages) =>
        Directory.EnumerateDirectories(packages)
            .Where(d => Path.GetFileName(d) is var name && (name.StartsWith("torchsharp", StringComparison.Ordinal)
                || name.StartsWith("libtorch", StringComparison.Ordinal)))
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Select(f => new FileInfo(f)).Select(f => $"{f.FullName} {f.Length} {f.LastWriteTimeUtc.Ticks}")
            .ToList();
}
