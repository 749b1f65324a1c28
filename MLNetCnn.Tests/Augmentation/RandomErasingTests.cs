using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class RandomErasingTests
{
    private static readonly ImageShape Shape = new(2, 20, 20);

    [TestCategory("Fast")]

    [TestMethod]
    public void ErasesOneRectangleInEveryChannelAtTheRequestedRate()
    {
        var image = SyntheticImages.Indexed(Shape);
        var erasing = new RandomErasing(probability: 0.4, minScale: 0.1, maxScale: 0.2, fillValue: -1);
        int erased = 0;

        for (int row = 0; row < 2000; row++)
        {
            var result = SyntheticImages.Apply(erasing, image, Shape, row);
            var filled = Enumerable.Range(0, 400).Where(i => result[i] == -1).ToList();
            if (filled.Count == 0)
            {
                CollectionAssert.AreEqual(image, result);
                continue;
            }
            erased++;
            int top = filled.Min(i => i / 20), bottom = filled.Max(i => i / 20), left = filled.Min(i => i % 20), right = filled.Max(i => i % 20);
            int area = (bottom - top + 1) * (right - left + 1);
            Assert.HasCount(area, filled, "the erased pixels form a rectangle");
            Assert.IsTrue(area is >= 30 and <= 90, $"area {area} of 400");
            for (int i = 0; i < 400; i++)
                Assert.AreEqual(result[i] == -1 ? -1 : image[400 + i], result[400 + i], "the second channel is erased in the same place");
        }

        Assert.AreEqual(0.4, erased / 2000.0, 4 * Math.Sqrt(0.24 / 2000));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RandomFillStaysWithinTheImagesRange()
    {
        var image = SyntheticImages.Indexed(Shape).Select(v => v + 100).ToArray();
        var erasing = new RandomErasing(probability: 1, minScale: 0.3, maxScale: 0.3, randomFill: true);

        var result = SyntheticImages.Apply(erasing, image, Shape, row: 0);

        var changed = Enumerable.Range(0, image.Length).Where(i => result[i] != image[i]).ToList();
        Assert.IsGreaterThan(200, changed.Count);
        Assert.IsTrue(changed.All(i => result[i] >= 101 && result[i] <= 900), "random values lie between the image's smallest and largest");
    }
}
