using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class CnnClassificationTrainerTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void LeNet5ReachesEightyPercentOnTheEmbeddedFashionMnist()
    {
        var mlContext = EmbeddedFashionMnistModel.Context;
        var scored = EmbeddedFashionMnistModel.Model.Transform(EmbeddedFashionMnistModel.Test);

        var metrics = mlContext.MulticlassClassification.Evaluate(scored);

        TestContext.WriteLine($"micro accuracy {metrics.MicroAccuracy:P2}, macro {metrics.MacroAccuracy:P2}, log-loss {metrics.LogLoss:F4}");
        Assert.IsGreaterThanOrEqualTo(0.80, metrics.MicroAccuracy);
        Assert.HasCount(10, metrics.PerClassLogLoss);
    }

    [TestMethod]
    public void ReportsEachEpochToTheCallbackAndTheLog()
    {
        var epochs = EmbeddedFashionMnistModel.Epochs;
        var log = EmbeddedFashionMnistModel.Log;

        CollectionAssert.AreEqual(Enumerable.Range(1, EmbeddedFashionMnistModel.EpochCount).ToArray(), epochs.Select(e => e.Epoch).ToArray());
        Assert.IsTrue(epochs.All(e => e.ValidationAccuracy is > 0 and <= 1), "validation metrics are reported with ValidationFraction");
        Assert.IsLessThan(epochs[0].TrainLoss, epochs[^1].TrainLoss);
        lock (log)
        {
            Assert.IsTrue(log.Any(line => line.Contains($"Epoch {EmbeddedFashionMnistModel.EpochCount}/{EmbeddedFashionMnistModel.EpochCount}")), "epoch lines reach mlContext.Log");
            Assert.IsTrue(log.Any(line => line.Contains("on cpu")), "the device is logged");
        }
    }

    [TestMethod]
    public void PredictedLabelsMapBackToClassNames()
    {
        var mlContext = EmbeddedFashionMnistModel.Context;
        var scored = EmbeddedFashionMnistModel.Model.Transform(EmbeddedFashionMnistModel.Test);
        var names = mlContext.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel").Fit(scored).Transform(scored)
            .GetColumn<string>("PredictedName").ToList();

        Assert.HasCount(1000, names);
        CollectionAssert.IsSubsetOf(names.Distinct().ToList(), FashionMnist.ClassNames.ToList());
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Score"].GetSlotNames(ref slotNames);
        CollectionAssert.AreEquivalent(FashionMnist.ClassNames.ToList(), slotNames.DenseValues().Select(n => n.ToString()).ToList());
    }

    [TestMethod]
    public void SavedModelLoadsInAFreshContextWithIdenticalScores()
    {
        string path = Path.Combine(TestFolders.Create(), "model.zip");
        EmbeddedFashionMnistModel.Context.Model.SaveAtomically(EmbeddedFashionMnistModel.Model, EmbeddedFashionMnistModel.Train.Schema, path);

        var fresh = new MLContext();
        var loaded = fresh.Model.Load(path, out var schema);

        Assert.AreEqual(EmbeddedFashionMnistModel.Train.Schema.Count, schema.Count);
        CollectionAssert.AreEqual(Scores(EmbeddedFashionMnistModel.Model), Scores(loaded));
    }

    [TestMethod]
    public void PredictionEngineGivesTheSameScoresAsTransform()
    {
        var mlContext = EmbeddedFashionMnistModel.Context;
        // Not owning the shared model: by default, disposing a prediction engine disposes its model too.
        using var engine = mlContext.Model.CreatePredictionEngine<FashionInput, FashionPrediction>(EmbeddedFashionMnistModel.Model,
            new PredictionEngineOptions { OwnsTransformer = false });
        var inputs = mlContext.Data.CreateEnumerable<FashionInput>(EmbeddedFashionMnistModel.Test, reuseRowObject: false).Take(50).ToList();
        var batch = Scores(EmbeddedFashionMnistModel.Model);

        // One image at a time and 64 at a time take different kernels, so scores agree to rounding only.
        for (int i = 0; i < inputs.Count; i++)
        {
            var prediction = engine.Predict(inputs[i]);
            var expected = batch.AsSpan(i * 10, 10).ToArray();
            for (int c = 0; c < 10; c++)
                Assert.AreEqual(expected[c], prediction.Score[c], 1e-5f, $"row {i}, class {c}");
        }
    }

    [TestMethod]
    public void CrossValidateWithTwoFoldsRuns()
    {
        var mlContext = new MLContext(seed: 2);
        var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(200, size: 12));
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(epochs: 4));

        var folds = mlContext.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 2);

        Assert.HasCount(2, folds);
        Assert.IsTrue(folds.All(f => f.Metrics.MicroAccuracy > 0.5), string.Join(", ", folds.Select(f => f.Metrics.MicroAccuracy)));
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameModel()
    {
        float[] Fit()
        {
            var mlContext = new MLContext(seed: 7);
            var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(64, size: 12));
            var model = mlContext.Transforms.Conversion.MapValueToKey("Label")
                .Append(mlContext.MulticlassClassification.Trainers.Cnn(epochs: 2)).Fit(data);
            return model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        }

        CollectionAssert.AreEqual(Fit(), Fit());
    }

    private static float[] Scores(ITransformer model) =>
        model.Transform(EmbeddedFashionMnistModel.Test).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();

    private sealed class FashionInput
    {
        public string Label { get; set; } = "";

        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    private sealed class FashionPrediction
    {
        public float[] Score { get; set; } = [];
    }
}
