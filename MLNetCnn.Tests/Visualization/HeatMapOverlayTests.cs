using MLNetCnn.Data;
using MLNetCnn.Explanations;
using MLNetCnn.Visualization;

namespace MLNetCnn.Tests.Visualization;

[TestClass]
public sealed class HeatMapOverlayTests
{
    private static readonly HeatMap Map = new(ExplanationMethod.Saliency, null, 0, 1, 2, [0, 1], [1, 0]);

    [TestMethod]
    public void TheJetColourMapRunsFromBlueToRed()
    {
        Assert.AreEqual(((byte)0, (byte)0, (byte)128), HeatMapOverlay.Jet(0));
        Assert.AreEqual(((byte)128, (byte)255, (byte)128), HeatMapOverlay.Jet(0.5f));
        Assert.AreEqual(((byte)128, (byte)0, (byte)0), HeatMapOverlay.Jet(1));
    }

    [TestMethod]
    public void BlendsAGreyImageWithTheColourOfItsHeatByTheOpacity()
    {
        var shape = new ImageShape(1, 1, 2);
        float[] image = [200, 2];

        var plain = HeatMapOverlay.Blend(image, shape, Map, pixelScale: 255, opacity: 0);
        var half = HeatMapOverlay.Render(image, shape, Map, pixelScale: 255, opacity: 0.5f);
        var scaled = HeatMapOverlay.Blend([1f, 0f], shape, Map, pixelScale: 1, opacity: 0);

        CollectionAssert.AreEqual(new float[] { 200, 2, 200, 2, 200, 2 }, plain, "the grey image in red, green and blue");
        CollectionAssert.AreEqual(new byte[] { 100, 100, 164, 65, 1, 1 }, half.Pixels, "half image, half jet (dark blue, then dark red)");
        CollectionAssert.AreEqual(new float[] { 255, 0, 255, 0, 255, 0 }, scaled);
    }

    [TestMethod]
    public void AnImageOfAnotherSizeThanTheMapIsRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => HeatMapOverlay.Blend(new float[4], new ImageShape(1, 2, 2), Map));

        StringAssert.Contains(error.Message, "The heat map is 2x1 but the image 2x2");
    }
}
