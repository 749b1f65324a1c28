using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class ImagePipelineTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void AnImagePipelineNamesNoColumnAndScoresTheSameThroughOnnx()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 8);
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadImageFolder(folder, 12, 12);   // Label, ImagePath, Image

        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .AppendTrainingOnly(mlContext.Transforms.RandomResizedCrop(12, 12))
            .AppendTrainingOnly(mlContext.Transforms.RandomHorizontalFlip())
            .Append(mlContext.Transforms.CnnClassifier(new CnnClassificationTrainer.Options { Epochs = 2, BatchSize = 8 }));
        var model = pipeline.Fit(data);
        var scores = model.Transform(data).GetColumn<float[]>("Score").ToList();

        string onnx = Path.Combine(folder, "model.onnx");
        mlContext.Model.ConvertCnnToOnnx(model, onnx);
        // The README's image-input recipe: the graph's input is named after the classifier's column, Image.
        var scoring = mlContext.Transforms.ExtractPixels("Image").Append(mlContext.Transforms.ApplyOnnxModel(onnx));
        var onnxScores = scoring.Fit(data).Transform(data).GetColumn<float[]>("Score").ToList();

        Assert.HasCount(16, scores);
        Assert.HasCount(2, scores[0]);
        for (int row = 0; row < scores.Count; row++)
        {
            for (int c = 0; c < 2; c++)
                Assert.AreEqual(scores[row][c], onnxScores[row][c], 1e-3, $"row {row}, class {c}");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void BothCnnClassifierOverloadsReadTheImageColumnAndTrainersCnnReadsFeatures()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 4);
        var mlContext = new MLContext(seed: 1);
        var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(mlContext.Data.LoadImageFolder(folder, 12, 12));
        var schema = ImageAugmentationCatalogTests.ShapeOf(keyed.GetOutputSchema(mlContext.Data.LoadImageFolder(folder, 12, 12).Schema));

        // Fitting the schema is where the column is looked up; Image exists, Features does not.
        mlContext.Transforms.CnnClassifier().GetOutputSchema(schema);
        mlContext.Transforms.CnnClassifier(new CnnClassificationTrainer.Options()).GetOutputSchema(schema);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options()).GetOutputSchema(schema));

        StringAssert.Contains(error.Message, "CnnClassificationTrainer: Image column 'Features' was not found");
        StringAssert.Contains(error.Message, "the data has columns ImagePath, Label, Image");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AStageWithoutItsColumnNamesItselfAndTheColumnsThere()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(8, size: 12));   // Label, Features

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => mlContext.Transforms.RandomCrop(8, 8, outputColumnName: "Pixels").Fit(data));
        var shape = ImageAugmentationCatalogTests.ShapeOf(data.Schema);
        var schemaError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(
            () => mlContext.Transforms.RandomCrop(8, 8, outputColumnName: "Pixels").GetOutputSchema(shape));
        var inPlace = mlContext.Transforms.RandomHorizontalFlip().Fit(data);

        StringAssert.Contains(error.Message, "RandomCrop: Image column 'Pixels' was not found; the data has columns Label, Features");
        StringAssert.Contains(schemaError.Message, "RandomCrop: Image column 'Pixels' was not found; the data has columns Label, Features");
        Assert.AreEqual(("Features", "Features"), (inPlace.InputColumnName, inPlace.OutputColumnName));
    }
}
