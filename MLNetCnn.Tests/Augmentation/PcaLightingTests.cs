using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class PcaLightingTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void FitsTheMainColourAxisOfTheData()
    {
        // Pixels vary mostly in brightness (along R = G = B) and a little along red minus blue.
        var shape = new ImageShape(3, 1, 1);
        var statistics = new PixelStatistics(3);
        var random = new Random(4);
        for (int i = 0; i < 5000; i++)
        {
            double brightness = random.NextDouble() * 100, tint = random.NextDouble() * 10;
            statistics.Add([(float)(brightness + tint), (float)brightness, (float)(brightness - tint)], shape);
        }

        var lighting = PcaLighting.FromStatistics(statistics, standardDeviation: 0.1);

        var first = lighting.Components.Take(3).Select(v => Math.Abs(v)).ToArray();
        foreach (double value in first)
            Assert.AreEqual(1 / Math.Sqrt(3), value, 0.01);
        // Brightness uniform over 0..100 has standard deviation 100 / sqrt(12) along a unit vector of length sqrt(3).
        Assert.AreEqual(100 / Math.Sqrt(12) * Math.Sqrt(3), lighting.ComponentScales[0], 1.5);
        Assert.IsGreaterThan(lighting.ComponentScales[1], lighting.ComponentScales[0]);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AddsOneColourOffsetToEveryPixel()
    {
        var shape = new ImageShape(3, 4, 4);
        var image = SyntheticImages.Indexed(shape);
        var lighting = new PcaLighting(0.1, [30, 3, 1], [0.577f, 0.577f, 0.577f, 0.707f, 0, -0.707f, 0.408f, -0.816f, 0.408f]);

        var result = SyntheticImages.Apply(lighting, image, shape, row: 2);

        for (int c = 0; c < 3; c++)
        {
            float offset = result[c * 16] - image[c * 16];
            Assert.AreNotEqual(0f, offset);
            for (int i = 0; i < 16; i++)
                Assert.AreEqual(offset, result[c * 16 + i] - image[c * 16 + i], 1e-3f);
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void GreyImagesAreRejected()
    {
        var lighting = new PcaLighting(0.1, [1, 1, 1], new float[9]);
        var error = Assert.ThrowsExactly<ArgumentException>(() => lighting.OutputShape(new ImageShape(1, 28, 28)));
        StringAssert.Contains(error.Message, "RGB");
        Assert.ThrowsExactly<ArgumentException>(() => PcaLighting.FromStatistics(new PixelStatistics(1), 0.1));
    }
}
