using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class RandomCropTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void OffsetsCoverTheWholeAllowedRangeAndPaddingIsZero()
    {
        var shape = new ImageShape(2, 6, 7);
        var image = SyntheticImages.Indexed(shape);
        var crop = new RandomCrop(height: 6, width: 7, padding: 2);
        var seen = new HashSet<(int Top, int Left)>();

        for (int row = 0; row < 1000; row++)
        {
            var result = SyntheticImages.Apply(crop, image, shape, row);
            var (top, left) = OffsetOf(result, shape, width: 7);
            seen.Add((top, left));
            for (int c = 0; c < 2; c++)
            {
                for (int y = 0; y < 6; y++)
                {
                    for (int x = 0; x < 7; x++)
                    {
                        int sy = top + y, sx = left + x;
                        float expected = sy is >= 0 and < 6 && sx is >= 0 and < 7 ? image[(c * 6 + sy) * 7 + sx] : 0;
                        Assert.AreEqual(expected, result[(c * 6 + y) * 7 + x], $"row {row}, offset ({top}, {left}), pixel ({c}, {y}, {x})");
                    }
                }
            }
        }

        // Offsets run from flush with the padded top-left corner (-2, -2) to flush with the bottom-right one (2, 2).
        Assert.HasCount(25, seen);
        Assert.AreEqual(-2, seen.Min(o => o.Top));
        Assert.AreEqual(2, seen.Max(o => o.Top));
        Assert.AreEqual(-2, seen.Min(o => o.Left));
        Assert.AreEqual(2, seen.Max(o => o.Left));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ACropSmallerThanTheImageStaysInside()
    {
        var shape = new ImageShape(1, 10, 10);
        var image = SyntheticImages.Indexed(shape);
        var crop = new RandomCrop(4, 4);
        var tops = new HashSet<int>();

        for (int row = 0; row < 500; row++)
        {
            var result = SyntheticImages.Apply(crop, image, shape, row);
            Assert.IsTrue(result.All(v => v > 0), "no padding without Padding");
            tops.Add(OffsetOf(result, shape, width: 4).Top);
        }

        CollectionAssert.AreEquivalent(Enumerable.Range(0, 7).ToList(), tops.ToList());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ACropThatDoesNotFitIsRejectedWithTheSizes()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new RandomCrop(40, 40, padding: 4).OutputShape(new ImageShape(3, 28, 28)));
        StringAssert.Contains(error.Message, "40x40");
        StringAssert.Contains(error.Message, "3x28x28");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RandomCrop(4, 4, padding: -1));
    }

    // The first non-zero value of a crop of an indexed image tells where the crop's corner was.
    private static (int Top, int Left) OffsetOf(float[] crop, ImageShape shape, int width)
    {
        for (int i = 0; i < crop.Length / shape.Channels; i++)
        {
            if (crop[i] == 0)
                continue;
            int source = (int)crop[i] - 1;
            return (source / shape.Width - i / width, source % shape.Width - i % width);
        }
        throw new AssertFailedException("The crop holds only padding.");
    }
}
