using MLNetCnn.IO;

namespace MLNetCnn.Tests.IO;

[TestClass]
public sealed class AtomicFileTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ReplacesTheFileWhole()
    {
        var folder = TestFolders.Create();
        string path = Path.Combine(folder, "model.zip");
        File.WriteAllText(path, "old");

        AtomicFile.Write(path, stream => stream.Write("new content"u8));

        Assert.AreEqual("new content", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(folder));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AFailureMidWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        var folder = TestFolders.Create();
        string path = Path.Combine(folder, "model.zip");
        File.WriteAllText(path, "old");

        Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[4096]);
            throw new InvalidOperationException("crash while saving");
        }));

        Assert.AreEqual("old", File.ReadAllText(path));
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(folder));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheNextWriteRemovesTemporaryFilesOfEndedProcessesAndKeepsThoseOfRunningOnes()
    {
        var folder = TestFolders.Create();
        string path = Path.Combine(folder, "model.zip");
        using var ended = System.Diagnostics.Process.Start("true")!;
        ended.WaitForExit();
        string abandoned = Path.Combine(folder, $".model.zip.{ended.Id}.0123456789abcdef.tmp");
        string inProgress = Path.Combine(folder, $".model.zip.{Environment.ProcessId}.fedcba9876543210.tmp");
        string unrelated = Path.Combine(folder, $".other.zip.{ended.Id}.0123456789abcdef.tmp");
        foreach (var file in new[] { abandoned, inProgress, unrelated })
            File.WriteAllText(file, "partial");

        AtomicFile.Write(path, stream => stream.Write("new"u8));

        CollectionAssert.AreEquivalent(new[] { path, inProgress, unrelated }, Directory.GetFiles(folder));
    }
}
