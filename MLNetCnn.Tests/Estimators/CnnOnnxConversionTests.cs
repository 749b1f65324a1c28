using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MLNetCnn.Augmentation;
using MLNetCnn.Estimators;
using MLNetCnn.Onnx;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class CnnOnnxConversionTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void PlainMLNetScoresTheExportedModelWithApplyOnnxModelAndPredictsTheSameLabels()
    {
        var mlContext = EmbeddedFashionMnistModel.Context;
        var test = EmbeddedFashionMnistModel.Test;
        var model = EmbeddedFashionMnistModel.Model;
        string path = Path.Combine(TestFolders.Create(), "fashion.onnx");

        mlContext.Model.ConvertCnnToOnnx(model, path);

        // The README's recipe: ApplyOnnxModel reads the Features column and writes Score; the class names are in the metadata.
        var deployment = new MLContext();
        var scored = deployment.Transforms.ApplyOnnxModel(path).Fit(test).Transform(test);
        var onnxScores = scored.GetColumn<float[]>("Score").ToArray();
        using var session = new InferenceSession(path);
        var classNames = JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.ClassNames])!;
        var onnxLabels = onnxScores.Select(scores => classNames[Array.IndexOf(scores, scores.Max())]).ToArray();

        var original = mlContext.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel").Fit(model.Transform(test)).Transform(model.Transform(test));
        var expectedLabels = original.GetColumn<string>("PredictedText").ToArray();
        var expectedScores = original.GetColumn<float[]>("Score").ToArray();
        Assert.HasCount(1000, onnxLabels);
        CollectionAssert.AreEqual(expectedLabels, onnxLabels);
        double worst = expectedScores.Zip(onnxScores, (e, a) => e.Zip(a, (x, y) => Math.Abs(x - y)).Max()).Max();
        Assert.IsLessThanOrEqualTo(1e-4, worst, "the probabilities agree too");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheOnnxModelAveragesTheTenCropsTheTransformerAverages()
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(32, size: 16));
        var test = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(8, size: 16, seed: 4));
        var model = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .AppendTrainingOnly(mlContext.Transforms.RandomCrop(12, 12))
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
            {
                Epochs = 1, BatchSize = 32, TestTimeAugmentation = TestTimeAugmentation.TenCrop,
            })).Fit(train);
        using var stream = new MemoryStream();

        mlContext.Model.ConvertCnnToOnnx(model, stream);

        // Ten crops leave the input's height and width free; ML.NET takes them from the shape dictionary.
        stream.Position = 0;
        var onnx = new MLContext().Transforms.ApplyOnnxModel(stream, new Dictionary<string, int[]> { ["Features"] = [1, 1, 16, 16] }).Fit(test);
        var onnxScores = onnx.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var expectedScores = model.Transform(test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        Assert.HasCount(expectedScores.Length, onnxScores);
        double worst = expectedScores.Zip(onnxScores, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsLessThanOrEqualTo(1e-4, worst);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AModelWithoutACnnClassifierCannotBeConverted()
    {
        var mlContext = new MLContext();
        var data = mlContext.Data.LoadFromEnumerable(new[] { new { Label = "a" } });
        var keys = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data);

        var error = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Model.ConvertCnnToOnnx(keys, new MemoryStream()));

        StringAssert.Contains(error.Message, "no MLNetCnn CNN classifier");
    }
}
