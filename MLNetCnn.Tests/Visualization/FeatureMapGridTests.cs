using MLNetCnn.Explanations;
using MLNetCnn.Visualization;

namespace MLNetCnn.Tests.Visualization;

[TestClass]
public sealed class FeatureMapGridTests
{
    [TestMethod]
    public void DrawsEachChannelAsAGreyTileScaledToItsOwnRange()
    {
        // Two 1x2 maps: (0, 10) and (-5, -5), the second constant.
        var activations = new LayerActivations("layer", [2, 1, 2], [0, 10, -5, -5]);

        var grid = FeatureMapGrid.Render(activations, pixelsPerValue: 1);

        // Two tiles side by side with gaps of 2: 2 + 2 + 2 + 2 + 2 wide, 2 + 1 + 2 high.
        Assert.AreEqual((10, 5), (grid.Width, grid.Height));
        byte At(int x, int y) => grid.Pixels[(y * grid.Width + x) * 3];
        Assert.AreEqual((0, 255), (At(2, 2), At(3, 2)), "the first map from its lowest to its highest");
        Assert.AreEqual((128, 128), (At(6, 2), At(7, 2)), "a constant map is mid-grey");
        Assert.AreEqual(255, At(0, 0), "white gaps");
    }

    [TestMethod]
    public void AnOutputThatIsNotFeatureMapsIsRejectedWithItsShape()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => FeatureMapGrid.Render(new LayerActivations("fc", [10], new float[10])));

        StringAssert.Contains(error.Message, "'fc' outputs shape [10], not feature maps");
    }
}
