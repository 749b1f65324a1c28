using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class CnnEmbeddingTests
{
    [TestMethod]
    public void TheOptInEmbeddingColumnHoldsEachImagesPenultimateFeaturesInBatchesRowByRowAndAfterSaving()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(BarsModel.Images);
        using var model = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
            {
                Epochs = 1, BatchSize = 16, EmbeddingColumnName = CnnColumnNames.Embedding, Seed = 1,
            }))
            .Fit(data);

        var scored = model.Transform(data);
        Assert.AreEqual(84, ((VectorDataViewType)scored.Schema[CnnColumnNames.Embedding].Type).Size);
        var embeddings = scored.GetColumn<float[]>(CnnColumnNames.Embedding).ToArray();
        float[] expected;
        using (var scope = NewDisposeScope())
        {
            var images = BarsModel.Images;
            expected = model.LastTransformer.Model.Embeddings(tensor(images.Pixels, [images.Count, 1, BarsModel.Size, BarsModel.Size])).data<float>().ToArray();
        }
        for (int i = 0; i < embeddings.Length; i++)
            CollectionAssert.AreEqual(expected.AsSpan(i * 84, 84).ToArray(), embeddings[i], Tolerance, $"row {i}");
        Assert.HasCount(BarsModel.Images.Count, scored.GetColumn<float[]>(CnnColumnNames.Score).ToArray(), "the scores are still there");

        using var engine = mlContext.Model.CreatePredictionEngine<BarsModel.Input, EmbeddingOutput>(model);
        CollectionAssert.AreEqual(embeddings[3], engine.Predict(BarsModel.InputOf(3)).Embedding, Tolerance);

        string file = Path.Combine(TestFolders.Create(), "model.zip");
        mlContext.Model.Save(model, data.Schema, file);
        var loaded = mlContext.Model.Load(file, out _);
        CollectionAssert.AreEqual(embeddings[5], loaded.Transform(data).GetColumn<float[]>(CnnColumnNames.Embedding).ElementAt(5), Tolerance);
        (loaded as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void AFeaturizerOfAFittedCnnFeedsAnSdcaLinearTrainerThatLearnsTheClasses()
    {
        var (mlContext, data, classifier) = BarsModel.Train(epochs: 4, seed: 2);
        using (classifier)
        {
            var pipeline = mlContext.Transforms.CnnFeaturizer(classifier.LastTransformer)
                .Append(mlContext.Transforms.Conversion.MapValueToKey("Label"))
                .Append(mlContext.Transforms.NormalizeMinMax(CnnColumnNames.Embedding))
                .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", CnnColumnNames.Embedding));

            var model = pipeline.Fit(data);
            var test = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(48, size: BarsModel.Size, seed: 9));
            var scored = model.Transform(test);
            var metrics = mlContext.MulticlassClassification.Evaluate(scored);

            Assert.IsGreaterThan(0.7, metrics.MicroAccuracy, "a linear model on the CNN's embeddings separates the bars");
            var featurizer = model.OfType<CnnClassificationTransformer>().Single();
            Assert.IsFalse(featurizer.AddsScores);
            var featurized = featurizer.GetOutputSchema(data.Schema);
            Assert.IsNull(featurized.GetColumnOrNull(CnnColumnNames.Score), "the featurizer adds no CNN scores");
            Assert.AreEqual(84, ((VectorDataViewType)featurized[CnnColumnNames.Embedding].Type).Size);
            Assert.AreNotSame(classifier.LastTransformer.Model, featurizer.Model, "the featurizer has its own copy of the network");

            string file = Path.Combine(TestFolders.Create(), "featurizer.zip");
            mlContext.Model.Save(model, data.Schema, file);
            var loaded = mlContext.Model.Load(file, out _);
            Assert.AreEqual(metrics.MicroAccuracy, mlContext.MulticlassClassification.Evaluate(loaded.Transform(test)).MicroAccuracy, 1e-9);
            (loaded as IDisposable)?.Dispose();
            model.Dispose();
        }
    }

    private static readonly System.Collections.IComparer Tolerance = Comparer<float>.Create((a, b) => Math.Abs(a - b) <= 1e-4f * Math.Max(1, Math.Abs(a)) ? 0 : a.CompareTo(b));

    public sealed class EmbeddingOutput
    {
        public float[] Embedding { get; set; } = [];
    }
}
