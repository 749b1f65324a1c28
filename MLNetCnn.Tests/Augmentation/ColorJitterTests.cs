using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class ColorJitterTests
{
    private static readonly ImageShape Shape = new(3, 4, 5);

    [TestCategory("Fast")]

    [TestMethod]
    public void BrightnessScalesEveryValueByOneFactorInItsRange()
    {
        var image = SyntheticImages.Indexed(Shape);
        var jitter = new ColorJitter(brightness: 0.4);
        var factors = new List<double>();

        for (int row = 0; row < 500; row++)
        {
            var result = SyntheticImages.Apply(jitter, image, Shape, row);
            double factor = result[0] / image[0];
            for (int i = 0; i < image.Length; i++)
                Assert.AreEqual(factor * image[i], result[i], 1e-3 * image[i]);
            factors.Add(factor);
        }

        Assert.IsGreaterThanOrEqualTo(0.6, factors.Min());
        Assert.IsLessThanOrEqualTo(1.4, factors.Max());
        Assert.IsLessThan(0.65, factors.Min());
        Assert.IsGreaterThan(1.35, factors.Max());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ContrastKeepsTheMeanGreyLevel()
    {
        var image = SyntheticImages.Indexed(Shape);
        var jitter = new ColorJitter(contrast: 0.8);

        for (int row = 0; row < 50; row++)
        {
            var result = SyntheticImages.Apply(jitter, image, Shape, row);
            Assert.AreEqual(MeanGrey(image), MeanGrey(result), 1e-3);
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SaturationKeepsEachPixelsGreyValue()
    {
        var image = SyntheticImages.Indexed(Shape);
        var jitter = new ColorJitter(saturation: 1);
        bool changed = false;

        for (int row = 0; row < 50; row++)
        {
            var result = SyntheticImages.Apply(jitter, image, Shape, row);
            for (int p = 0; p < 20; p++)
                Assert.AreEqual(Grey(image, p), Grey(result, p), 1e-3);
            changed |= !result.SequenceEqual(image);
        }

        Assert.IsTrue(changed);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SaturationLeavesGreyImagesAlone()
    {
        var shape = new ImageShape(1, 4, 5);
        var image = SyntheticImages.Indexed(shape);

        CollectionAssert.AreEqual(image, SyntheticImages.Apply(new ColorJitter(saturation: 0.9), image, shape, row: 1));
    }

    private static double Grey(float[] image, int pixel) => 0.299 * image[pixel] + 0.587 * image[20 + pixel] + 0.114 * image[40 + pixel];

    private static double MeanGrey(float[] image) => Enumerable.Range(0, 20).Average(p => Grey(image, p));
}
