using Microsoft.ML.Data;
using MLNetCnn.IO;
using MLNetCnn.Visualization;

namespace MLNetCnn.Tests.IO;

[TestClass]
public sealed class PngWriterTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void WritesPixelsThatADecoderReadsBackExactly()
    {
        var image = new RgbImage(7, 3, (10, 20, 30));
        image.Set(0, 0, 255, 0, 0);
        image.Set(6, 2, 0, 0, 255);
        using var stream = new MemoryStream();

        PngWriter.Write(stream, image);
        stream.Position = 0;
        using var decoded = MLImage.CreateFromStream(stream);

        Assert.AreEqual((7, 3), (decoded.Width, decoded.Height));
        var pixels = decoded.Pixels;
        var (red, blue) = decoded.PixelFormat == MLPixelFormat.Rgba32 ? (0, 2) : (2, 0);
        int stride = pixels.Length / decoded.Height;
        Assert.AreEqual(255, pixels[red]);
        Assert.AreEqual(0, pixels[blue]);
        Assert.AreEqual(255, pixels[2 * stride + 6 * 4 + blue]);
        Assert.AreEqual(20, pixels[stride + 3 * 4 + 1]);
    }
}
