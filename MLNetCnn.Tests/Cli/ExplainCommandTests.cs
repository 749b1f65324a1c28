namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class ExplainCommandTests
{
    // 12x12 images drawn 13 times larger (about 160 pixels), the image and its heat map side by side.
    private const int DrawnSide = 12 * 13;

    [TestMethod]
    [DataRow("gradcam")]
    [DataRow("saliency")]
    public void WritesOnePictureWithItsHeatMapPerImage(string method)
    {
        string folder = TestFolders.Create();
        string other = ImageFiles.Write(Path.Combine(folder, "other.jpg"), 2, width: 30, height: 20);
        string output = Path.Combine(folder, "explained");

        var (exitCode, text, error) = CliInProcess.Run("explain", TrainedCliModel.Model, Path.Combine(TrainedCliModel.Data, "a", "0.png"),
            Path.Combine(TrainedCliModel.Data, "b", "0.png"), other, "-o", output, "--method", method, "--top", "2");

        Assert.AreEqual(0, exitCode, error + text);
        CollectionAssert.AreEquivalent(new[] { "0.png", "0-2.png", "other.png" }, Directory.GetFiles(output).Select(Path.GetFileName).ToArray(),
            "named after the images, numbered when two share a name");
        foreach (var file in Directory.GetFiles(output))
        {
            var (width, height, colours) = ImageFiles.Inspect(file);
            Assert.IsGreaterThanOrEqualTo(2 * DrawnSide, width, file);
            Assert.IsGreaterThanOrEqualTo(DrawnSide + 2 * 15, height, "the image and two caption lines");
            Assert.IsGreaterThan(50, colours, "a colour heat map over the image");
        }
        StringAssert.Contains(text, method == "gradcam" ? "Grad-CAM over layer 'features'" : "gradient saliency");
        StringAssert.Contains(text, "other.jpg: ");
    }

    [TestMethod]
    public void AnUnknownLayerIsAnErrorListingTheLayersThereAre()
    {
        string output = Path.Combine(TestFolders.Create(), "explained");

        var result = CliInProcess.Run("explain", TrainedCliModel.Model, Path.Combine(TrainedCliModel.Data, "a", "0.png"), "-o", output, "--layer", "conv9");

        CliInProcess.AssertFails(result, "'conv9' is not a layer with feature maps", "features.c1, features.relu1, features.s2, features.c3");
        CliInProcess.AssertFails(
            CliInProcess.Run("explain", TrainedCliModel.Model, Path.Combine(TrainedCliModel.Data, "a", "0.png"), "-o", output, "--method", "saliency",
                "--layer", "features"),
            "--layer is for --method gradcam");
    }
}
