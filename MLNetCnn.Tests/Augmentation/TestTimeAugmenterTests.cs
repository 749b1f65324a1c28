using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Augmentation;

[TestClass]
public sealed class TestTimeAugmenterTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void TenCropCutsTheFourCornersTheCentreAndTheirMirrorImages()
    {
        var image = new ImageShape(2, 7, 9);
        var crop = new ImageShape(2, 4, 4);
        var augmenter = new TestTimeAugmenter(TestTimeAugmentation.TenCrop, image, crop);
        var pixels = SyntheticImages.Indexed(image);
        var views = new float[10 * crop.Size];

        augmenter.CutViews(pixels, views);

        (int Top, int Left)[] places = [(0, 0), (0, 5), (3, 0), (3, 5), (1, 2)];
        var expected = places.Select(p => new CropView(p.Top, p.Left, false)).Concat(places.Select(p => new CropView(p.Top, p.Left, true))).ToList();
        CollectionAssert.AreEqual(expected, augmenter.Views.ToList());
        for (int v = 0; v < 10; v++)
        {
            var (top, left) = places[v % 5];
            for (int c = 0; c < 2; c++)
            {
                for (int y = 0; y < 4; y++)
                {
                    for (int x = 0; x < 4; x++)
                    {
                        int sourceX = left + (v < 5 ? x : 3 - x);
                        Assert.AreEqual(pixels[(c * 7 + top + y) * 9 + sourceX], views[v * crop.Size + (c * 4 + y) * 4 + x], $"view {v}, pixel ({c}, {y}, {x})");
                    }
                }
            }
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ProbabilitiesAreTheMeanOverTheViews()
    {
        var crop = new ImageShape(1, 12, 12);
        var image = new ImageShape(1, 15, 16);
        using var model = CnnModel.Create("lenet5", new ModelSpec(crop, 3), InputNormalization.Identity(1), TorchSharp.torch.CPU, seed: 5);
        var augmenter = new TestTimeAugmenter(TestTimeAugmentation.TenCrop, image, crop);
        var random = new Random(2);
        var images = Enumerable.Range(0, 2 * image.Size).Select(_ => (float)random.NextDouble()).ToArray();
        var averaged = new float[2 * 3];

        augmenter.PredictProbabilities(model, images, 2, averaged);

        for (int i = 0; i < 2; i++)
        {
            var views = new float[10 * crop.Size];
            augmenter.CutViews(images.AsSpan(i * image.Size, image.Size), views);
            var expected = new double[3];
            for (int v = 0; v < 10; v++)
            {
                var single = new float[3];
                model.PredictProbabilities(views.AsSpan(v * crop.Size, crop.Size), 1, single);
                for (int k = 0; k < 3; k++)
                    expected[k] += single[k] / 10.0;
            }
            for (int k = 0; k < 3; k++)
                Assert.AreEqual(expected[k], averaged[i * 3 + k], 1e-5, $"image {i}, class {k}");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void HorizontalFlipAveragesTheImageAndItsMirrorImage()
    {
        var shape = new ImageShape(1, 12, 12);
        using var model = CnnModel.Create("lenet5", new ModelSpec(shape, 4), InputNormalization.Identity(1), TorchSharp.torch.CPU, seed: 6);
        var augmenter = new TestTimeAugmenter(TestTimeAugmentation.HorizontalFlip, shape, shape);
        var image = SyntheticImages.Indexed(shape);
        var mirror = SyntheticImages.Apply(new RandomFlip(FlipAxis.Horizontal, probability: 1), image, shape, row: 0);
        var both = new float[8];
        model.PredictProbabilities([.. image, .. mirror], 2, both);
        var averaged = new float[4];

        augmenter.PredictProbabilities(model, image, 1, averaged);

        for (int k = 0; k < 4; k++)
            Assert.AreEqual((both[k] + both[4 + k]) / 2, averaged[k], 1e-6f);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ImagesThatDoNotFitAreRejected()
    {
        var input = new ImageShape(3, 28, 28);
        var small = Assert.ThrowsExactly<ArgumentException>(() => new TestTimeAugmenter(TestTimeAugmentation.TenCrop, new ImageShape(3, 24, 32), input));
        StringAssert.Contains(small.Message, "3x24x32");
        var larger = Assert.ThrowsExactly<ArgumentException>(() => new TestTimeAugmenter(TestTimeAugmentation.HorizontalFlip, new ImageShape(3, 32, 32), input));
        StringAssert.Contains(larger.Message, "TenCrop");
    }
}
