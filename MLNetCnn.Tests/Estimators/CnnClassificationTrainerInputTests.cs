using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class CnnClassificationTrainerInputTests
{
    private static readonly ImageDataset Bars = SyntheticImages.Bars(96, size: 12);

    [TestMethod]
    public void TrainsAndScoresImageFilesOfAnySizeThroughLoadImagesAndResizeImages()
    {
        var folder = TestFolders.Create();
        var rows = WriteBarImages(folder, count: 80);
        var mlContext = new MLContext(seed: 3);
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.LoadImages("Image", folder, nameof(ImageFile.ImagePath)))
            .Append(mlContext.Transforms.ResizeImages("Image", 16, 16))
            .Append(mlContext.Transforms.CnnClassifier(new CnnClassificationTrainer.Options { FeatureColumnName = "Image", Epochs = 8, ImageChannels = 3, BatchSize = 16 }));

        var model = pipeline.Fit(data);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(data));
        using var engine = mlContext.Model.CreatePredictionEngine<ImageFile, Prediction>(model);
        var prediction = engine.Predict(rows[1]);

        Assert.IsGreaterThanOrEqualTo(0.9, metrics.MicroAccuracy);
        Assert.HasCount(4, prediction.Score);
        Assert.AreEqual(1.0, prediction.Score.Sum(), 1e-4);
    }

    [TestMethod]
    public void ReportsEveryMiniBatchToTheStepCallback()
    {
        var (mlContext, data) = Keyed(Bars);
        var steps = new List<MLNetCnn.Training.StepReport>();
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { Epochs = 2, BatchSize = 32, OnStepEnd = steps.Add });

        using var model = trainer.Fit(data);

        Assert.HasCount(2 * 3, steps);
        Assert.AreEqual((2, 3, 96), (steps[^1].Epoch, steps[^1].Step, steps[^1].ImagesSeen));
        Assert.AreEqual(model.TrainingHistory[^1].TrainLoss, steps[^1].Loss, 1e-9);
    }

    [TestMethod]
    public void ALabelThatIsNotAKeyIsRejectedWithTheFix()
    {
        var mlContext = new MLContext();
        var data = mlContext.Data.LoadFromImageDataset(Bars);
        var error = Assert.ThrowsExactly<ArgumentException>(() => mlContext.MulticlassClassification.Trainers.Cnn().Fit(data));
        StringAssert.Contains(error.Message, "'Label'");
        StringAssert.Contains(error.Message, "MapValueToKey");
    }

    [TestMethod]
    public void AMissingLabelColumnIsNamedWithTheColumnsThereAre()
    {
        var (mlContext, data) = Keyed(Bars);
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(labelColumnName: "Class");

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));

        StringAssert.Contains(error.Message, "'Class'");
        StringAssert.Contains(error.Message, "Label, Features");
    }

    [TestMethod]
    [DataRow(nameof(CnnClassificationTrainer.Options.Epochs), -1)]
    [DataRow(nameof(CnnClassificationTrainer.Options.BatchSize), 0)]
    [DataRow(nameof(CnnClassificationTrainer.Options.BatchSize), -8)]
    [DataRow(nameof(CnnClassificationTrainer.Options.BatchSize), 100_000)]
    [DataRow(nameof(CnnClassificationTrainer.Options.LearningRate), 0.0)]
    [DataRow(nameof(CnnClassificationTrainer.Options.LearningRate), -0.1)]
    [DataRow(nameof(CnnClassificationTrainer.Options.LearningRate), double.NaN)]
    [DataRow(nameof(CnnClassificationTrainer.Options.ImageHeight), -12)]
    [DataRow(nameof(CnnClassificationTrainer.Options.ImageChannels), -1)]
    public void AnOptionOutOfRangeIsNamedBeforeAnyWork(string option, object value)
    {
        var options = new CnnClassificationTrainer.Options();
        var field = typeof(CnnClassificationTrainer.Options).GetField(option)!;
        field.SetValue(options, Convert.ChangeType(value, field.FieldType, System.Globalization.CultureInfo.InvariantCulture));

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext().MulticlassClassification.Trainers.Cnn(options));

        StringAssert.Contains(error.Message, option);
    }

    [TestMethod]
    public void AnInputSmallerThanTheArchitectureTakesIsRejectedWithItsMinimumSize()
    {
        var (mlContext, data) = Keyed(Bars);
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(architecture: "alexnet");

        var error = Assert.ThrowsExactly<ArgumentException>(() => trainer.Fit(data));

        StringAssert.Contains(error.Message, "alexnet needs images of at least ");
        StringAssert.Contains(error.Message, "the input is 1x12x12");
    }

    [TestMethod]
    public void AnImageColumnOfTheWrongTypeIsNamed()
    {
        var (mlContext, data) = Keyed(Bars);
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(featureColumnName: "Label");
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        StringAssert.Contains(error.Message, "'Label'");
        StringAssert.Contains(error.Message, "ExtractPixels");
    }

    [TestMethod]
    public void AMissingImageColumnIsNamed()
    {
        var (mlContext, data) = Keyed(Bars);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.CnnClassifier().Fit(data));
        StringAssert.Contains(error.Message, "'Image'");
        StringAssert.Contains(error.Message, "Features");
    }

    [TestMethod]
    public void AVectorOfTheWrongSizeIsRejectedWithBothShapes()
    {
        var (mlContext, data) = Keyed(Bars);
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { ImageHeight = 20, ImageWidth = 20 });
        var error = Assert.ThrowsExactly<ArgumentException>(() => trainer.Fit(data));
        StringAssert.Contains(error.Message, "1x12x12");
        StringAssert.Contains(error.Message, "1x20x20");
    }

    [TestMethod]
    public void AFlatVectorNeedsItsShape()
    {
        var mlContext = new MLContext();
        var flat = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, Bars.Count)
            .Select(i => new FlatRow { Label = Bars.Labels[i].ToString(), Features = Bars.Image(i).ToArray() }));
        var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(flat).Transform(flat);

        var error = Assert.ThrowsExactly<ArgumentException>(() => mlContext.MulticlassClassification.Trainers.Cnn().Fit(keyed));
        StringAssert.Contains(error.Message, "144 values");

        var withShape = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { ImageChannels = 1, ImageHeight = 12, ImageWidth = 12, Epochs = 1 });
        using var model = withShape.Fit(keyed);
        Assert.AreEqual(new ImageShape(1, 12, 12), model.Model.Spec.Input);
    }

    [TestMethod]
    public void AnImageOfTheWrongSizeIsNamedWithItsRow()
    {
        var folder = TestFolders.Create();
        var mlContext = new MLContext();
        var data = mlContext.Data.LoadFromEnumerable(WriteBarImages(folder, count: 8));
        var images = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.LoadImages("Image", folder, nameof(ImageFile.ImagePath)))
            .Fit(data).Transform(data);

        var unsized = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.CnnClassifier().Fit(images));
        StringAssert.Contains(unsized.Message, "ResizeImages");

        var sized = mlContext.Transforms.CnnClassifier(new CnnClassificationTrainer.Options { FeatureColumnName = "Image", ImageHeight = 16, ImageWidth = 16 });
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => sized.Fit(images));
        StringAssert.Contains(error.Message, "Row 0");
        StringAssert.Contains(error.Message, "expected 16x16");
    }

    [TestMethod]
    public void ASingleClassIsRejected()
    {
        var oneClass = new ImageDataset(Bars.Shape, Bars.Pixels, new int[Bars.Count], classCount: 1);
        var (mlContext, data) = Keyed(oneClass);
        var error = Assert.ThrowsExactly<ArgumentException>(() => mlContext.MulticlassClassification.Trainers.Cnn().Fit(data));
        StringAssert.Contains(error.Message, "at least 2");
    }

    [TestMethod]
    public void EmptyDataIsRejected()
    {
        var mlContext = new MLContext();
        var data = mlContext.Data.LoadFromEnumerable(Array.Empty<KeyedRow>());
        var error = Assert.ThrowsExactly<ArgumentException>(() => mlContext.MulticlassClassification.Trainers.Cnn().Fit(data));
        StringAssert.Contains(error.Message, "no rows");
    }

    [TestMethod]
    public void TextLabelsKeyedOnNoRowsAreReportedAsNoRowsNotAsOneClass()
    {
        var mlContext = new MLContext();
        var empty = mlContext.Data.LoadFromEnumerable(Array.Empty<BarsModel.Input>());
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label").Append(mlContext.MulticlassClassification.Trainers.Cnn());

        var error = Assert.ThrowsExactly<ArgumentException>(() => pipeline.Fit(empty));

        Assert.AreEqual("The training data has no rows.", error.Message);
    }

    [TestMethod]
    public void NonFiniteFeatureValuesAreNamed()
    {
        var pixels = (float[])Bars.Pixels.Clone();
        pixels[Bars.Shape.Size * 5 + 7] = float.NaN;
        var (mlContext, data) = Keyed(new ImageDataset(Bars.Shape, pixels, Bars.Labels, Bars.ClassCount));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.MulticlassClassification.Trainers.Cnn().Fit(data));
        StringAssert.Contains(error.Message, "Row 5");
        StringAssert.Contains(error.Message, "non-finite");
    }

    [TestMethod]
    public void UnknownArchitecturesAndBadOptionsAreRejectedUpFront()
    {
        var mlContext = new MLContext();
        var unknown = Assert.ThrowsExactly<ArgumentException>(() => mlContext.MulticlassClassification.Trainers.Cnn(architecture: "resnet9000"));
        StringAssert.Contains(unknown.Message, "resnet9000");
        var epochs = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.MulticlassClassification.Trainers.Cnn(epochs: 0));
        StringAssert.Contains(epochs.Message, "Epochs");
    }

    private static (MLContext, IDataView) Keyed(ImageDataset images)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(images);
        return (mlContext, mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data));
    }

    /// <summary>Colour PNGs of the bar classes, alternately 20x20 and 24x24 pixels.</summary>
    private static ImageFile[] WriteBarImages(string folder, int count)
    {
        var rows = new ImageFile[count];
        for (int size = 20, i = 0; i < count; i++, size = 44 - size)
        {
            var bars = SyntheticImages.Bars(4, size: size, seed: i);
            int label = i % 4;
            var grey = bars.Image(label);
            var bgra = new byte[size * size * 4];
            for (int p = 0; p < size * size; p++)
            {
                byte value = (byte)grey[p];
                (bgra[4 * p], bgra[4 * p + 1], bgra[4 * p + 2], bgra[4 * p + 3]) = (value, (byte)(255 - value), value, 255);
            }
            string name = $"bar{i}.png";
            using (var image = MLImage.CreateFromPixels(size, size, MLPixelFormat.Bgra32, bgra))
                image.Save(Path.Combine(folder, name));
            rows[i] = new ImageFile { ImagePath = name, Label = $"class{label}" };
        }
        return rows;
    }

    private sealed class ImageFile
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }

    private sealed class FlatRow
    {
        public string Label { get; set; } = "";

        [VectorType(144)]
        public float[] Features { get; set; } = [];
    }

    private sealed class KeyedRow
    {
        [KeyType(3)]
        public uint Label { get; set; }

        [VectorType(1, 12, 12)]
        public float[] Features { get; set; } = [];
    }
}
