using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class RandomAffineTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void TranslationShiftsByWholePixelsUpToTheLimitInBothDirections()
    {
        var shape = new ImageShape(1, 8, 8);
        var image = SyntheticImages.Indexed(shape);
        var affine = new RandomAffine(translate: 0.25);
        var shifts = new HashSet<(int X, int Y)>();

        for (int row = 0; row < 400; row++)
        {
            var result = SyntheticImages.Apply(affine, image, shape, row);
            int first = Array.FindIndex(result, v => v != 0);
            int source = (int)result[first] - 1;
            var shift = (X: first % 8 - source % 8, Y: first / 8 - source / 8);
            shifts.Add(shift);
            for (int y = 0; y < 8; y++)
            {
                for (int x = 0; x < 8; x++)
                {
                    int sx = x - shift.X, sy = y - shift.Y;
                    float expected = sx is >= 0 and < 8 && sy is >= 0 and < 8 ? image[sy * 8 + sx] : 0;
                    Assert.AreEqual(expected, result[y * 8 + x], 1e-4f, $"row {row}, shift {shift}, pixel ({y}, {x})");
                }
            }
        }

        // 0.25 of 8 pixels: every shift from -2 to 2 on each axis.
        Assert.HasCount(25, shifts);
        Assert.AreEqual(2, shifts.Max(s => s.X));
        Assert.AreEqual(-2, shifts.Min(s => s.Y));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AQuarterTurnTurnsClockwise()
    {
        var shape = new ImageShape(1, 5, 5);
        var image = SyntheticImages.Indexed(shape);
        var result = new float[shape.Size];

        Bilinear.Warp(image, shape, result, RandomAffine.InverseMap(shape, degrees: 90, shiftX: 0, shiftY: 0, scale: 1, shear: 0));

        // Clockwise: the top row becomes the right-hand column, read from top to bottom.
        for (int y = 0; y < 5; y++)
        {
            for (int x = 0; x < 5; x++)
                Assert.AreEqual(image[(4 - x) * 5 + y], result[y * 5 + x], 1e-4f, $"pixel ({y}, {x})");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ZoomAndShearMoveCornersAsTheMatrixSays()
    {
        var shape = new ImageShape(1, 10, 10);
        var zoom = RandomAffine.InverseMap(shape, degrees: 0, shiftX: 0, shiftY: 0, scale: 2, shear: 0);
        var shear = RandomAffine.InverseMap(shape, degrees: 0, shiftX: 0, shiftY: 0, scale: 1, shear: 45);

        // Zooming by 2 about the centre (5, 5): the output point (9, 7) shows the input point (7, 6).
        Assert.AreEqual(7, zoom.XX * 9 + zoom.XY * 7 + zoom.X0, 1e-9);
        Assert.AreEqual(6, zoom.YX * 9 + zoom.YY * 7 + zoom.Y0, 1e-9);
        // A 45 degree horizontal shear shifts each row by its distance from the centre row: (5, 8) shows (8, 8).
        Assert.AreEqual(8, shear.XX * 5 + shear.XY * 8 + shear.X0, 1e-9);
        Assert.AreEqual(8, shear.YX * 5 + shear.YY * 8 + shear.Y0, 1e-9);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void NoDistortionLeavesTheImageUnchanged()
    {
        var shape = new ImageShape(3, 6, 7);
        var image = SyntheticImages.Indexed(shape);

        CollectionAssert.AreEqual(image, SyntheticImages.Apply(new RandomAffine(), image, shape, row: 3));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RotationsStayWithinTheirRange()
    {
        // A single bright pixel off-centre: its angle about the centre after a random rotation of at most 30 degrees.
        var shape = new ImageShape(1, 41, 41);
        var image = new float[shape.Size];
        image[20 * 41 + 38] = 1;
        var affine = new RandomAffine(degrees: 30);
        var angles = new List<double>();

        for (int row = 0; row < 300; row++)
        {
            var result = SyntheticImages.Apply(affine, image, shape, row);
            double sum = result.Sum(), x = 0, y = 0;
            for (int i = 0; i < result.Length; i++)
            {
                x += result[i] * (i % 41 - 20);
                y += result[i] * (i / 41 - 20);
            }
            angles.Add(Math.Atan2(y / sum, x / sum) * 180 / Math.PI);
        }

        Assert.IsLessThan(31, angles.Max());
        Assert.IsGreaterThan(-31, angles.Min());
        Assert.IsGreaterThan(25, angles.Max());
        Assert.IsLessThan(-25, angles.Min());
    }
}
