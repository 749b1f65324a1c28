using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class RandomResizedCropTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void RegionsCoverTheRequestedShareOfTheAreaWithTheRequestedAspectRatio()
    {
        var crop = new RandomResizedCrop(16, 16, minScale: 0.25, maxScale: 0.5, minRatio: 0.5, maxRatio: 2);
        var shares = new List<double>();
        var ratios = new List<double>();

        for (int row = 0; row < 2000; row++)
        {
            var random = AugmentationRandom.ForRow(3, 0, row);
            var region = crop.SampleRegion(64, 64, ref random);
            Assert.IsTrue(region.Top >= 0 && region.Left >= 0 && region.Top + region.Height <= 64 && region.Left + region.Width <= 64, region.ToString());
            shares.Add(region.Height * region.Width / (64.0 * 64));
            ratios.Add((double)region.Width / region.Height);
        }

        // Widths and heights are whole pixels, so the share and ratio are met to within rounding.
        Assert.IsGreaterThan(0.24, shares.Min());
        Assert.IsLessThan(0.52, shares.Max());
        Assert.IsGreaterThan(0.46, ratios.Min());
        Assert.IsLessThan(2.1, ratios.Max());
        Assert.IsLessThan(0.3, shares.Min());
        Assert.IsGreaterThan(0.45, shares.Max());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RatiosThatCannotFitFallBackToTheLargestCentredRegion()
    {
        var crop = new RandomResizedCrop(8, 8, minScale: 0.9, maxScale: 1, minRatio: 3, maxRatio: 4);
        var random = AugmentationRandom.ForRow(1, 0, 0);

        var region = crop.SampleRegion(30, 30, ref random);

        Assert.AreEqual(new ImageRegion(Top: 10, Left: 0, Height: 10, Width: 30), region);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheWholeImageAtItsOwnSizeComesBackUnchanged()
    {
        var shape = new ImageShape(3, 9, 9);
        var image = SyntheticImages.Indexed(shape);
        var crop = new RandomResizedCrop(9, 9, minScale: 1, maxScale: 1, minRatio: 1, maxRatio: 1);

        CollectionAssert.AreEqual(image, SyntheticImages.Apply(crop, image, shape, row: 5));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ResizingInterpolatesBilinearly()
    {
        // A horizontal ramp 0, 10, 20, 30 resized to 8 columns: pixel centres at (x + 0.5) / 2 - 0.5, clamped at the edges.
        var shape = new ImageShape(1, 1, 4);
        var crop = new RandomResizedCrop(1, 8, minScale: 1, maxScale: 1, minRatio: 4, maxRatio: 4);

        var result = SyntheticImages.Apply(crop, [0, 10, 20, 30], shape, row: 0);

        CollectionAssert.AreEqual(new float[] { 0, 2.5f, 7.5f, 12.5f, 17.5f, 22.5f, 27.5f, 30 }, result);
    }
}
