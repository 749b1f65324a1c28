using MLNetCnn.Runtime;

namespace MLNetCnn.Tests.Runtime;

[TestClass]
public sealed class TorchNativeLoaderTests
{
    private static readonly string NativeFolder = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");

    [TestMethod]
    public void AFreshProcessLoadsTorchSharpByItselfAndTrains()
    {
        var folder = TestFolders.Create();
        string model = Path.Combine(folder, "model.zip");

        var (exitCode, output) = Cli.CliProcess.Run("train", "--epochs", "1", "--output", folder);

        Assert.AreEqual(0, exitCode, output);
        StringAssert.Contains(output, "Epoch 1/1");
        Assert.IsGreaterThan(10_000L, new FileInfo(model).Length, "the trained model was saved");
    }

    [TestMethod]
    public void EnsureLoadedIsIdempotent()
    {
        TorchNativeLoader.EnsureLoaded();
        TorchNativeLoader.EnsureLoaded();
    }

    [TestMethod]
    public void FindsTorchSharpsNativeFilesInTheNuGetPackageFolderAsTorchSharpDoesForNotebooks()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Inconclusive("TorchSharp's Linux packages only.");

        var packages = TorchSharpPackages.Find();

        Assert.IsNotNull(packages, "the torchsharp and libtorch-cpu-linux-x64 packages this test project restored");
        string version = typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3);
        StringAssert.EndsWith(packages.LibTorchSharp, $"/torchsharp/{version}/runtimes/linux-x64/native/libLibTorchSharp.so");
        StringAssert.Contains(packages.Libtorch, "/libtorch-cpu-linux-x64/");
        Assert.AreEqual("libtorch.so", Path.GetFileName(packages.Libtorch));
        Assert.IsTrue(File.Exists(Path.Combine(Path.GetDirectoryName(packages.Libtorch)!, "libtorch_cpu.so")), "libtorch's dependencies beside it");
    }

    [TestMethod]
    public void RelaxingTorchSharpsLibraryChangesOnlyTheVersionNeedAndTheSymbolVersion()
    {
        string library = Path.Combine(NativeFolder, "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(library))
            Assert.Inconclusive($"No {library} on this platform.");
        var original = File.ReadAllBytes(library);
        var relaxed = (byte[])original.Clone();

        ElfSymbolVersionRelaxer.RelaxNeededVersion(relaxed, "GLIBCXX_3.4.32");

        int changed = original.Zip(relaxed).Count(pair => pair.First != pair.Second);
        Assert.IsTrue(changed is >= 3 and <= 8, $"{changed} bytes changed");
        var error = Assert.ThrowsExactly<InvalidDataException>(() => ElfSymbolVersionRelaxer.RelaxNeededVersion(relaxed, "GLIBCXX_3.4.32"));
        StringAssert.Contains(error.Message, "GLIBCXX_3.4.32");
    }

    [TestMethod]
    public void RefusesAVersionThatALiveSymbolNeeds()
    {
        string library = Path.Combine(NativeFolder, "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(library))
            Assert.Inconclusive($"No {library} on this platform.");
        var image = File.ReadAllBytes(library);
        var copy = (byte[])image.Clone();

        Assert.ThrowsExactly<InvalidDataException>(() => ElfSymbolVersionRelaxer.RelaxNeededVersion(copy, "GLIBCXX_3.4.30"));
        CollectionAssert.AreEqual(image, copy, "a refused edit leaves the image untouched");
    }

    [TestMethod]
    public void RejectsAFileThatIsNotElf() =>
        Assert.ThrowsExactly<InvalidDataException>(() => ElfSymbolVersionRelaxer.RelaxNeededVersion("not an ELF file at all, just text......................................."u8.ToArray(), "GLIBCXX_3.4.32"));
}
