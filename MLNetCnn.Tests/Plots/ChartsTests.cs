using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Plots;
using MLNetCnn.Training;
using MLNetCnn.Visualization;

namespace MLNetCnn.Tests.Plots;

[TestClass]
public sealed class ChartsTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ChartsAndMLNetsWholeImagePipelineWorkInOneProcess()
    {
        // ScottPlot and ML.NET's ImageAnalytics share one SkiaSharp; a version that breaks either fails here.
        var folder = TestFolders.Create();
        var chart = Charts.ConfusionMatrix(["a", "b"], [[2, 1], [0, 2]]);
        chart.SavePng(Path.Combine(folder, "confusion.png"));
        var data = ImageFiles.ClassFolder(Path.Combine(folder, "images"), classes: 2, perClass: 1);
        var mlContext = new MLContext();

        var images = mlContext.Data.LoadImageFolder(data, new ImageFileOptions { ImageWidth = 6, ImageHeight = 4, Resizing = Microsoft.ML.Transforms.Image.ImageResizingEstimator.ResizingKind.IsoPad });
        var pixels = mlContext.Transforms.ConvertToGrayscale("Grey", "Image")
            .Append(mlContext.Transforms.ExtractPixels("Pixels", "Grey", colorsToExtract: Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator.ColorBits.Red))
            .Fit(images).Transform(images).GetColumn<VBuffer<float>>("Pixels").ToList();

        var (width, height, colours) = ImageFiles.Inspect(Path.Combine(folder, "confusion.png"));
        Assert.AreEqual((chart.Width, chart.Height), (width, height));
        Assert.IsGreaterThan(2, colours);
        Assert.HasCount(2, pixels);
        Assert.IsTrue(pixels.All(p => p.Length == 24 && p.DenseValues().Distinct().Count() > 1));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void LearningCurvesAreTwoPanelsOfTrainingAndValidationLines()
    {
        EpochReport[] history =
        [
            new(1, 3, 1.2, 0.55, 1.0, 0.6, 1e-3, 900, TimeSpan.FromSeconds(1)),
            new(2, 3, 0.8, 0.70, 0.9, 0.65, 1e-3, 950, TimeSpan.FromSeconds(2)),
            new(3, 3, 0.6, 0.78, 0.85, 0.7, 1e-3, 970, TimeSpan.FromSeconds(3)),
        ];

        var chart = Charts.LearningCurves(history);

        Assert.AreEqual((1120, 420), (chart.Width, chart.Height));
        var (width, height, colours) = ImageFiles.Inspect(chart.ToPng());
        Assert.AreEqual((chart.Width, chart.Height), (width, height));
        Assert.IsTrue(HasColour(chart, (31, 119, 180)), "no training line");
        Assert.IsTrue(HasColour(chart, (255, 127, 14)), "no validation line");
        Assert.IsGreaterThan(10, colours);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ChartsRejectDataTheyCannotDraw()
    {
        var empty = Assert.ThrowsExactly<ArgumentException>(() => Charts.LearningCurves([]));
        StringAssert.Contains(empty.Message, "history is empty");
        var ragged = Assert.ThrowsExactly<ArgumentException>(() => Charts.ConfusionMatrix(["a", "b", "c"], [[1, 0, 0], [0, 1]]));
        StringAssert.Contains(ragged.Message, "3 classes needs 3 rows of 3 counts");
    }

    private static bool HasColour(RgbImage image, (byte R, byte G, byte B) colour)
    {
        var p = image.Pixels;
        for (int i = 0; i < p.Length; i += 3)
        {
            if ((p[i], p[i + 1], p[i + 2]) == colour)
                return true;
        }
        return false;
    }
}
