using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class TrainingOnlyAugmentationTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ScoringSkipsTrainingOnlyStagesAlsoAfterSaveAndLoad()
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(128, size: 12));
        var test = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(40, size: 12, seed: 2));
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .AppendTrainingOnly(mlContext.Transforms.RandomCrop(12, 12, padding: 2))
            .AppendTrainingOnly(mlContext.Transforms.RandomHorizontalFlip())
            .AppendTrainingOnly(mlContext.Transforms.RandomErasing(probability: 1))
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { Epochs = 2, BatchSize = 32 }));

        var model = pipeline.Fit(train);
        var withoutAugmentation = new TransformerChain<ITransformer>(model.First(), model.LastTransformer);
        string path = Path.Combine(TestFolders.Create(), "model.zip");
        mlContext.Model.SaveAtomically(model, train.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);

        Assert.HasCount(5, model.ToList());
        var expected = Scores(withoutAugmentation, test);
        CollectionAssert.AreEqual(expected, Scores(model, test));
        CollectionAssert.AreEqual(expected, Scores(loaded, test));
        var metrics = mlContext.MulticlassClassification.Evaluate(loaded.Transform(test));
        Assert.AreEqual(mlContext.MulticlassClassification.Evaluate(withoutAugmentation.Transform(test)).LogLoss, metrics.LogLoss);

        // ML.NET's PredictionEngine runs every stage whatever its scope: the random stages pass rows through.
        using var plainEngine = mlContext.Model.CreatePredictionEngine<BarRow, Prediction>(withoutAugmentation);
        using var loadedEngine = mlContext.Model.CreatePredictionEngine<BarRow, Prediction>(loaded);
        foreach (var row in mlContext.Data.CreateEnumerable<BarRow>(test, reuseRowObject: false).Take(10))
            CollectionAssert.AreEqual(plainEngine.Predict(row).Score, loadedEngine.Predict(row).Score);
    }

    [TestMethod]
    public void TheDataUnderRandomStagesIsReadOnceAndTheirDrawsAreAppliedEveryEpoch()
    {
        int Passes(bool augment)
        {
            var mlContext = new MLContext(seed: 1);
            var data = new PassCountingDataView(mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(40, size: 12)), "Features");
            var start = mlContext.Transforms.Conversion.MapValueToKey("Label");
            var trainer = mlContext.MulticlassClassification.Trainers.Cnn(epochs: 3);
            using var model = (augment ? start.AppendTrainingOnly(mlContext.Transforms.RandomVerticalFlip()).Append(trainer) : start.Append(trainer))
                .Fit(data).LastTransformer;
            return data.Passes;
        }

        // The trainer caches the data under the random stages and applies their draws itself each epoch
        // (AugmentedEpochDataTests proves the draws are fresh every epoch).
        Assert.AreEqual(1, Passes(augment: false));
        Assert.AreEqual(1, Passes(augment: true));
    }

    [TestMethod]
    public void TrainingOnMirrorImagesTeachesTheModelMirroredTestImages()
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.LoadFromImageDataset(SyntheticImages.ShapesOnOneSide(320, mirrored: false));
        var test = mlContext.Data.LoadFromImageDataset(SyntheticImages.ShapesOnOneSide(200, mirrored: true, seed: 2));
        double Accuracy(bool augment)
        {
            var start = mlContext.Transforms.Conversion.MapValueToKey("Label");
            var trainer = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { Epochs = 8, BatchSize = 32, Seed = 3 });
            var model = augment
                ? start.AppendTrainingOnly(mlContext.Transforms.RandomHorizontalFlip()).Append(trainer).Fit(train)
                : start.Append(trainer).Fit(train);
            return mlContext.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        }

        double without = Accuracy(augment: false), with = Accuracy(augment: true);

        TestContext.WriteLine($"mirrored test accuracy: {without:P1} without flips, {with:P1} with");
        Assert.IsGreaterThanOrEqualTo(0.9, with);
        Assert.IsGreaterThan(without + 0.3, with);
    }

    [TestMethod]
    public void TenCropScoresLargerImagesWithTheMeanOfTheirCrops()
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(96, size: 16));
        var testImages = SyntheticImages.Bars(12, size: 16, seed: 4);
        var test = mlContext.Data.LoadFromImageDataset(testImages);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .AppendTrainingOnly(mlContext.Transforms.RandomCrop(12, 12))
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
            {
                Epochs = 2, BatchSize = 32, TestTimeAugmentation = TestTimeAugmentation.TenCrop,
            }));

        var model = pipeline.Fit(train);
        string path = Path.Combine(TestFolders.Create(), "model.zip");
        mlContext.Model.SaveAtomically(model, train.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);

        var network = model.LastTransformer.Model;
        Assert.AreEqual(new ImageShape(1, 12, 12), network.Spec.Input);
        var scores = Scores(model, test);
        for (int i = 0; i < testImages.Count; i++)
        {
            var image = testImages.Image(i).ToArray();
            var expected = new double[4];
            foreach (var (top, left) in new[] { (0, 0), (0, 4), (4, 0), (4, 4), (2, 2) })
            {
                foreach (bool mirrored in new[] { false, true })
                {
                    var crop = new float[144];
                    for (int y = 0; y < 12; y++)
                    {
                        for (int x = 0; x < 12; x++)
                            crop[y * 12 + x] = image[(top + y) * 16 + left + (mirrored ? 11 - x : x)];
                    }
                    var probabilities = new float[4];
                    network.PredictProbabilities(crop, 1, probabilities);
                    for (int k = 0; k < 4; k++)
                        expected[k] += probabilities[k] / 10.0;
                }
            }
            for (int k = 0; k < 4; k++)
                Assert.AreEqual(expected[k], scores[i * 4 + k], 1e-5, $"image {i}, class {k}");
        }
        CollectionAssert.AreEqual(scores, Scores(loaded, test));
        Assert.AreEqual(TestTimeAugmentation.TenCrop, ((TransformerChain<ITransformer>)loaded).LastTransformer is CnnClassificationTransformer cnn ? cnn.TestTimeAugmentation : default);
    }

    [TestMethod]
    public void ImagesThatDoNotFitTheTestTimeAugmentationAreNamed()
    {
        var mlContext = new MLContext(seed: 1);
        var train = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(32, size: 12));
        var small = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(8, size: 10));
        var model = mlContext.Transforms.Conversion.MapValueToKey("Label").Append(mlContext.MulticlassClassification.Trainers.Cnn(
            new CnnClassificationTrainer.Options { Epochs = 1, TestTimeAugmentation = TestTimeAugmentation.TenCrop })).Fit(train);

        var error = Assert.ThrowsExactly<ArgumentException>(() => model.Transform(small));
        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "1x10x10");
    }

    private static float[] Scores(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s)];

    private sealed class BarRow
    {
        public string Label { get; set; } = "";

        [VectorType(1, 12, 12)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }
}
