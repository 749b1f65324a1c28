using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Cli.Reports;

[TestClass]
public sealed class PlotsTests
{
    [TestMethod]
    public void PlotsAndMLNetsWholeImagePipelineWorkInOneProcess()
    {
        // OxyPlot and ML.NET's ImageAnalytics share one SkiaSharp; a version that breaks either fails here.
        var folder = ImageFiles.TempFolder();
        var evaluation = new Evaluation(["a", "b"], 5, 0.8, 0.75, 0.5, [1.0, 0.67], [0.67, 1.0], [[2, 1], [0, 2]]);
        var figure = Plots.ConfusionMatrix(Path.Combine(folder, "confusion.png"), evaluation);
        var data = ImageFiles.ClassFolder(Path.Combine(folder, "images"), classes: 2, perClass: 1);
        var mlContext = new MLContext();

        var images = mlContext.Data.LoadImageFolder(data, new ImageFileOptions { ImageWidth = 6, ImageHeight = 4, Resizing = Microsoft.ML.Transforms.Image.ImageResizingEstimator.ResizingKind.IsoPad });
        var pixels = mlContext.Transforms.ConvertToGrayscale("Grey", "Image")
            .Append(mlContext.Transforms.ExtractPixels("Pixels", "Grey", colorsToExtract: Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator.ColorBits.Red))
            .Fit(images).Transform(images).GetColumn<VBuffer<float>>("Pixels").ToList();

        var (width, height, colours) = ImageFiles.Inspect(Path.Combine(folder, "confusion.png"));
        Assert.AreEqual((figure.Width, figure.Height), (width, height));
        Assert.IsGreaterThan(2, colours);
        Assert.HasCount(2, pixels);
        Assert.IsTrue(pixels.All(p => p.Length == 24 && p.DenseValues().Distinct().Count() > 1));
    }
}
