using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class RandomFlipTests
{
    private static readonly ImageShape Shape = new(2, 3, 4);

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(FlipAxis.Horizontal, 0.5)]
    [DataRow(FlipAxis.Vertical, 0.2)]
    public void MirrorsAtTheRequestedRateAndCopiesOtherwise(FlipAxis axis, double probability)
    {
        var image = SyntheticImages.Indexed(Shape);
        var mirrored = Mirror(image, axis);
        var flip = new RandomFlip(axis, probability);
        const int rows = 4000;
        int flipped = 0;

        for (int row = 0; row < rows; row++)
        {
            var result = SyntheticImages.Apply(flip, image, Shape, row);
            if (result.SequenceEqual(mirrored))
                flipped++;
            else
                CollectionAssert.AreEqual(image, result, $"row {row} is neither the image nor its mirror");
        }

        // Four standard deviations of a binomial proportion over 4000 rows.
        double tolerance = 4 * Math.Sqrt(probability * (1 - probability) / rows);
        Assert.AreEqual(probability, (double)flipped / rows, tolerance);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ProbabilitiesOutsideZeroToOneAreRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RandomFlip(FlipAxis.Horizontal, 1.5));
        StringAssert.Contains(error.Message, "Probability");
    }

    private static float[] Mirror(float[] image, FlipAxis axis)
    {
        var result = new float[image.Length];
        for (int c = 0; c < Shape.Channels; c++)
        {
            for (int y = 0; y < Shape.Height; y++)
            {
                for (int x = 0; x < Shape.Width; x++)
                {
                    int sy = axis == FlipAxis.Vertical ? Shape.Height - 1 - y : y;
                    int sx = axis == FlipAxis.Horizontal ? Shape.Width - 1 - x : x;
                    result[(c * Shape.Height + y) * Shape.Width + x] = image[(c * Shape.Height + sy) * Shape.Width + sx];
                }
            }
        }
        return result;
    }
}
