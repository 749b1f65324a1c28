using MLNetCnn.Data;
using MLNetCnn.Plots;
using MLNetCnn.Visualization;

namespace MLNetCnn.Tests.Plots;

[TestClass]
public sealed class ImageGalleryTests
{
    private const int Gap = 4;

    [TestCategory("Fast")]

    [TestMethod]
    public void EachImagePixelIsDrawnAsABlockOfItsValueInRowsAndColumns()
    {
        var shape = new ImageShape(1, 2, 3);
        float[] first = [0, 50, 100, 150, 200, 300], second = [10, 10, 10, 10, 10, -5];

        var gallery = ImageGallery.Draw([new GalleryRow([first, second]), new GalleryRow([second])], shape, scale: 4);

        Assert.AreEqual((Gap + 2 * (12 + Gap), Gap + 2 * (8 + Gap)), (gallery.Width, gallery.Height));
        Assert.AreEqual(Grey(150), Pixel(gallery, Gap + 0 * 4 + 3, Gap + 1 * 4 + 3));
        Assert.AreEqual(Grey(255), Pixel(gallery, Gap + 2 * 4, Gap + 1 * 4), "values above 255 are clamped");
        Assert.AreEqual(Grey(0), Pixel(gallery, Gap + 12 + Gap + 2 * 4, Gap + 4), "values below 0 are clamped");
        Assert.AreEqual(Grey(10), Pixel(gallery, Gap, Gap + 8 + Gap));
        Assert.AreEqual(Grey(255), Pixel(gallery, Gap + 12 + Gap + 1, Gap + 8 + Gap + 1), "a row shorter than the longest leaves its cells blank");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ColourImagesKeepTheirChannels()
    {
        var shape = new ImageShape(3, 1, 1);

        var gallery = ImageGallery.Draw([new GalleryRow([[200, 100, 50]])], shape, scale: 2);

        Assert.AreEqual(((byte)200, (byte)100, (byte)50), Pixel(gallery, Gap + 1, Gap + 1));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TitlesAndCaptionsAreWrittenBesideAndUnderTheImages()
    {
        var shape = new ImageShape(1, 4, 4);
        var image = Enumerable.Repeat(0f, 16).ToArray();
        var plain = ImageGallery.Draw([new GalleryRow([image])], shape);

        var labelled = ImageGallery.Draw([new GalleryRow([image], "RandomCrop", ["Ankle boot\n97 %"])], shape);

        Assert.IsGreaterThan(plain.Width + 40, labelled.Width, "a title column and a caption wider than the image");
        Assert.IsGreaterThan(plain.Height + 20, labelled.Height, "two caption lines");
        int dark = 0;
        for (int y = plain.Height; y < labelled.Height; y++)
        {
            for (int x = 0; x < labelled.Width; x++)
                dark += Pixel(labelled, x, y).Item1 < 128 ? 1 : 0;
        }
        Assert.IsGreaterThan(20, dark, "caption text under the image");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ImagesOfTheWrongSizeOrCaptionsThatDoNotMatchAreErrorsNamingTheRow()
    {
        var shape = new ImageShape(1, 2, 2);
        float[] good = [1, 2, 3, 4];

        var size = Assert.ThrowsExactly<ArgumentException>(() => ImageGallery.Draw([new GalleryRow([good]), new GalleryRow([good, [1, 2, 3]])], shape));
        StringAssert.Contains(size.Message, "Image 1 of gallery row 1 has 3 values; an image of shape 1x2x2 has 4");
        var captions = Assert.ThrowsExactly<ArgumentException>(() => ImageGallery.Draw([new GalleryRow([good, good], Captions: ["only one"])], shape));
        StringAssert.Contains(captions.Message, "Gallery row 0 has 1 captions for 2 images");
        Assert.ThrowsExactly<ArgumentException>(() => ImageGallery.Draw([], shape));
    }

    private static (byte, byte, byte) Grey(byte level) => (level, level, level);

    private static (byte, byte, byte) Pixel(RgbImage image, int x, int y)
    {
        int i = (y * image.Width + x) * 3;
        return (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]);
    }
}
