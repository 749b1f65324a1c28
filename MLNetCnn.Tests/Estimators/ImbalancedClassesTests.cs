using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class ImbalancedClassesTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void RowsWhoseExampleWeightIsZeroAreNotLearntWithAValidationHoldOutToo()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(class0Weight: 0));
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
        {
            ExampleWeightColumnName = "Weight", Epochs = 6, BatchSize = 16, ValidationFraction = 0.25, Seed = 1,
        });

        using var model = mlContext.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(data);

        var (class0Predictions, othersRight) = Outcome(model, data);
        Assert.AreEqual(0, class0Predictions, "no image is predicted as the class whose rows weigh 0");
        Assert.IsGreaterThan(0.6 * 48, othersRight, "the other classes are learnt");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AClassWeightOfZeroInTheOptionsLeavesThatClassUnlearnt()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Rows(class0Weight: 1));
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
        {
            ClassWeights = ClassWeights.Of(0, 1, 1, 1), ClassBalancedSampling = true, Epochs = 6, BatchSize = 16, Seed = 1,
        });

        using var model = mlContext.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(data);

        Assert.AreEqual(0, Outcome(model, data).Class0Predictions);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ABadExampleWeightColumnFailsNamingItAndTheRow()
    {
        var mlContext = new MLContext(seed: 1);
        var keys = mlContext.Transforms.Conversion.MapValueToKey("Label");
        var rows = Rows(class0Weight: 1);
        rows[7].Weight = -2;
        var negative = mlContext.Data.LoadFromEnumerable(rows);
        IEstimator<ITransformer> Trainer(string column) => keys.Append(mlContext.MulticlassClassification.Trainers.Cnn(
            new CnnClassificationTrainer.Options { ExampleWeightColumnName = column, Epochs = 1 }));

        var error = Assert.Throws<Exception>(() => Trainer("Weight").Fit(negative));
        StringAssert.Contains(error.Message, "Row 7: example weight column 'Weight' holds -2");
        var missing = Assert.Throws<Exception>(() => Trainer("Importance").Fit(negative));
        StringAssert.Contains(missing.Message, "'Importance' was not found");
        var wrongType = Assert.Throws<Exception>(() => Trainer("Label").Fit(negative));
        StringAssert.Contains(wrongType.Message, "weights must be Single");
    }

    private static Row[] Rows(float class0Weight)
    {
        var images = SyntheticImages.Bars(64, size: BarsModel.Size);
        return [.. Enumerable.Range(0, images.Count).Select(i => new Row
        {
            Label = images.Labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
            Features = images.Image(i).ToArray(),
            Weight = images.Labels[i] == 0 ? class0Weight : 1,
        })];
    }

    private static (int Class0Predictions, int OthersRight) Outcome(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        var predicted = scored.GetColumn<uint>(CnnColumnNames.PredictedLabel).ToArray();
        var actual = scored.GetColumn<uint>("Label").ToArray();
        // MapValueToKey numbers the labels in order of appearance: "0" is key 1.
        return (predicted.Count(p => p == 1), Enumerable.Range(0, actual.Length).Count(i => actual[i] != 1 && predicted[i] == actual[i]));
    }

    public sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(1, BarsModel.Size, BarsModel.Size)]
        public float[] Features { get; set; } = [];

        public float Weight { get; set; }
    }
}
