using System.Text;

namespace MLNetCnn.Tests.Notebooks;

[TestClass]
public sealed class NotebookScriptTests
{
    private const string LibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    [TestMethod]
    public void ANotebookWhoseTorchSharpNativeLibraryCannotLoadFailsTheRunWithTheKernelsError()
    {
        // With a libstdc++ from GCC 13 or later TorchSharp loads as it is, and nothing here could make it fail.
        if (!OperatingSystem.IsLinux() || !File.Exists(LibStdCxx) || File.ReadAllText(LibStdCxx, Encoding.Latin1).Contains("GLIBCXX_3.4.32", StringComparison.Ordinal))
            Assert.Inconclusive("This system's libstdc++ provides GLIBCXX_3.4.32.");
        string folder = TestFolders.Create();
        string notebook = Path.Combine(folder, "needs-torch.ipynb");
        File.WriteAllText(notebook, """
            {
             "cells": [
              {"cell_type": "code", "id": "setup", "metadata": {}, "execution_count": null, "outputs": [], "source": "#load \"local-build.csx\""},
              {"cell_type": "code", "id": "no-cache", "metadata": {}, "execution_count": null, "outputs": [],
               "source": "Environment.SetEnvironmentVariable(\"XDG_CACHE_HOME\", \"/dev/null\");"},
              {"cell_type": "code", "id": "references", "metadata": {}, "execution_count": null, "outputs": [],
               "source": "#r \"nuget: MLNetCnn, 0.0.0-local-*\"\n#r \"nuget: TorchSharp-cpu, 0.107.0\""},
              {"cell_type": "code", "id": "summary", "metadata": {}, "execution_count": null, "outputs": [],
               "source": "Console.WriteLine(MLNetCnn.ModelSummary.Create(\"lenet5\", new MLNetCnn.Data.ModelSpec(new MLNetCnn.Data.ImageShape(1, 28, 28), 10)));"}
             ],
             "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "language_info": {"name": "polyglot-notebook"}},
             "nbformat": 4, "nbformat_minor": 5
            }
            """);

        // The kernel's cache folder, which cannot be created, leaves the loader no place for its compatible copy of libLibTorchSharp.so.
        var run = NotebookScript.Run([notebook]);

        Assert.AreEqual(1, run.ExitCode, run.Output);
        StringAssert.Contains(run.Output, "error: needs-torch.ipynb failed in the kernel");
        StringAssert.Contains(run.Output, "libLibTorchSharp.so' needs GLIBCXX_3.4.32");
        Assert.IsFalse(File.Exists(Path.Combine(run.OutputFolder, "needs-torch.ipynb")), "no executed notebook is written for a failed run");
    }
}
