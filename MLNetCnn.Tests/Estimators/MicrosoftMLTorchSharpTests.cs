using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.TorchSharp;

namespace MLNetCnn.Tests.Estimators;

/// <summary>ML.NET's own TorchSharp trainers (Microsoft.ML.TorchSharp, built against TorchSharp 0.102.7) beside ours.</summary>
[TestClass]
public sealed class MicrosoftMLTorchSharpTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void MLNetsTextClassifierAndTheCnnTrainerWorkInOneProcessOnOneTorchSharp()
    {
        var mlContext = new MLContext(seed: 1);
        var sentences = mlContext.Data.LoadFromEnumerable<Sentence>([new() { Text = "warm and soft", Label = "good" }, new() { Text = "torn seam", Label = "bad" }]);

        // Fitting it would download RoBERTa's weights and vocabulary, which no test may do: the estimator is built and its
        // output schema checked, which is as far as it goes offline.
        var textClassifier = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.TextClassification(labelColumnName: "Label", sentence1ColumnName: "Text", maxEpochs: 1));
        var textOutput = textClassifier.GetOutputSchema(ImageAugmentationCatalogTests.ShapeOf(sentences.Schema));
        var (_, images, cnn) = BarsModel.Train(epochs: 2);
        var scores = BarsModel.Scores(cnn, images);

        Assert.IsTrue(textOutput.Single(c => c.Name == "PredictedLabel").IsKey, "the text classifier predicts a key");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, textOutput.Single(c => c.Name == "Score").Kind);
        Assert.HasCount(BarsModel.Images.Count, scores);
        Assert.IsTrue(scores.All(row => row.Length == 4 && Math.Abs(row.Sum() - 1) < 1e-3), "the CNN scores every image over its 4 classes");
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "TorchSharp").Select(a => a.GetName().Version!).ToList();
        var requested = typeof(TorchSharpCatalog).Assembly.GetReferencedAssemblies().Single(a => a.Name == "TorchSharp").Version!;
        Assert.HasCount(1, loaded, "one TorchSharp in the process");
        Assert.IsGreaterThan(requested, loaded[0], $"our TorchSharp {loaded[0]} serves the {requested} Microsoft.ML.TorchSharp was built against");
    }

    private sealed class Sentence
    {
        public string Text { get; set; } = "";

        public string Label { get; set; } = "";
    }
}
