using System.Text.RegularExpressions;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed partial class AugmentPreviewCommandTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void WritesAPngGridOfTheStatedSizeForArrayData()
    {
        string path = Path.Combine(TestFolders.Create(), "preview.png");

        var (exitCode, output, error) = CliInProcess.Run("augment-preview", "--augment", "crop,hflip,erase", "--samples", "3", "--variants", "4", "--scale", "2", "-o", path);

        Assert.AreEqual(0, exitCode, error + output);
        var (width, height, colours) = ImageFiles.Inspect(path);
        // Five columns (the original and four passes) and three rows of 56x56 cells (Fashion-MNIST at scale 2), 4-pixel gaps.
        Assert.AreEqual((5 * 60 + 4, 3 * 60 + 4), (width, height));
        Assert.AreEqual(StatedSize(output), (width, height));
        Assert.IsGreaterThan(1, colours);
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(Path.GetDirectoryName(path)!), "only the PNG is left behind");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void WritesAPngGridForImageFiles()
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 3);
        string path = Path.Combine(TestFolders.Create(), "preview.png");

        var (exitCode, output, error) = CliInProcess.Run("augment-preview", "--data", data, "--image-size", "12", "--augment", "resized-crop,jitter,lighting",
            "--samples", "4", "--variants", "2", "--scale", "1", "-o", path);

        Assert.AreEqual(0, exitCode, error + output);
        var (width, height, colours) = ImageFiles.Inspect(path);
        Assert.AreEqual((3 * 16 + 4, 4 * 16 + 4), (width, height));
        Assert.AreEqual(StatedSize(output), (width, height));
        Assert.IsGreaterThan(1, colours);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnUnknownStageFailsNamingItAndTheKnownOnes()
    {
        var result = CliInProcess.Run("augment-preview", "--augment", "hflip,twirl", "-o", Path.Combine(TestFolders.Create(), "unused.png"));

        CliInProcess.AssertFails(result, "'twirl'", "hflip");
    }

    private static (int Width, int Height) StatedSize(string output)
    {
        var match = StatedSizePattern().Match(output);
        Assert.IsTrue(match.Success, output);
        return (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
    }

    [GeneratedRegex(@"\((\d+)x(\d+) pixels\)")]
    private static partial Regex StatedSizePattern();
}
