namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class FeaturesCommandTests
{
    [TestMethod]
    public void DrawsTheFeatureMapsOfTheNamedLayerAsAGrid()
    {
        string file = Path.Combine(TestFolders.Create(), "c1.png");

        var (exitCode, output, error) = CliInProcess.Run("features", TrainedCliModel.Model, Path.Combine(TrainedCliModel.Data, "a", "1.png"),
            "--layer", "features.c1", "-o", file, "--scale", "2");

        Assert.AreEqual(0, exitCode, error + output);
        // C1 of LeNet-5 on 12x12 images padded to 32x32: six 28x28 maps, 3 columns and 2 rows of 56-pixel tiles, 2-pixel gaps.
        var (width, height, colours) = ImageFiles.Inspect(file);
        Assert.AreEqual((2 + 3 * (56 + 2), 2 + 2 * (56 + 2)), (width, height));
        Assert.IsGreaterThan(10, colours);
        StringAssert.Contains(output, "the 6 28x28 feature maps of layer 'features.c1'");
    }

    [TestMethod]
    public void AnUnknownLayerIsAnErrorListingTheLayersThereAre()
    {
        string image = Path.Combine(TrainedCliModel.Data, "a", "1.png");
        string file = Path.Combine(TestFolders.Create(), "x.png");

        CliInProcess.AssertFails(CliInProcess.Run("features", TrainedCliModel.Model, image, "--layer", "conv9", "-o", file),
            "'conv9' is not a layer of the lenet5 network", "features.c1, features.relu1");
        CliInProcess.AssertFails(CliInProcess.Run("features", TrainedCliModel.Model, image, "--layer", "classifier.output", "-o", file),
            "'classifier.output' outputs shape [3], not feature maps");
        Assert.IsFalse(File.Exists(file));
    }
}
