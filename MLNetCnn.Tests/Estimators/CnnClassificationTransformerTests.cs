using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;
using TorchSharp;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class CnnClassificationTransformerTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void DisposeFreesTheNetworkAndEveryLaterUseIsAnObjectDisposedError()
    {
        var (mlContext, data, model) = BarsModel.Train(epochs: 1);
        var classifier = model.LastTransformer;
        var keyed = model.Take(1).Single().Transform(data);
        using var engine = BarsModel.Engine(mlContext, model);
        var cursor = model.Transform(data).GetRowCursor(model.GetOutputSchema(data.Schema));
        int tensors = classifier.Model.Network.state_dict().Count;
        long liveBefore = torch.Tensor.TotalCount;

        classifier.Dispose();

        Assert.IsTrue(classifier.Model.IsDisposed);
        Assert.IsLessThanOrEqualTo(liveBefore - tensors, torch.Tensor.TotalCount, "the network's parameters and buffers are freed");
        Assert.ThrowsExactly<ObjectDisposedException>(() => classifier.Transform(keyed));
        Assert.ThrowsExactly<ObjectDisposedException>(() => classifier.GetRowToRowMapper(keyed.Schema));
        Assert.ThrowsExactly<ObjectDisposedException>(() => classifier.GetOutputSchema(keyed.Schema));
        Assert.ThrowsExactly<ObjectDisposedException>(() => engine.Predict(BarsModel.InputOf(0)));
        Assert.ThrowsExactly<ObjectDisposedException>(() => cursor.MoveNext());
        var error = Assert.ThrowsExactly<ObjectDisposedException>(() => mlContext.Model.Save(model, data.Schema, new MemoryStream()));
        StringAssert.Contains(error.Message, "disposed");
        classifier.Dispose();
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void DisposeWhileOtherThreadsScoreWaitsForTheirCallsAndThenStopsThemCleanly()
    {
        var (mlContext, _, model) = BarsModel.Train(epochs: 1);
        int scored = 0, stopped = 0;
        using var started = new CountdownEvent(4);

        var scoring = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            using var engine = BarsModel.Engine(mlContext, model);
            started.Signal();
            try
            {
                while (true)
                {
                    var score = engine.Predict(BarsModel.InputOf(1)).Score;
                    Assert.AreEqual(1.0, score.Sum(), 1e-4, "a call that returns was scored by a live network");
                    Interlocked.Increment(ref scored);
                }
            }
            catch (ObjectDisposedException)
            {
                Interlocked.Increment(ref stopped);
            }
        })).ToArray();
        started.Wait();
        while (Volatile.Read(ref scored) < 200)
            Thread.Sleep(1);
        model.Dispose();

        Assert.IsTrue(Task.WaitAll(scoring, TimeSpan.FromSeconds(30)));
        Assert.AreEqual(4, stopped);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void KeyLabelsOutsideTheTrainedRangeOrInAnotherOrderAreRejectedAtEvaluation()
    {
        var mlContext = new MLContext(seed: 1);
        var model = BarsModel.Model.LastTransformer;
        var test = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 5).Select(i => new TextLabelled { Label = $"{i % 5}", Features = BarsModel.Images.Image(i % 4).ToArray() }));
        var fiveClasses = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(test).Transform(test);
        var reordered = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Fit(mlContext.Data.LoadFromEnumerable(new[] { "3", "1", "0", "2" }.Select(label => new TextLabelled { Label = label, Features = new float[144] })))
            .Transform(mlContext.Data.LoadFromEnumerable(new[] { new TextLabelled { Label = "1", Features = BarsModel.Images.Image(1).ToArray() } }));
        var mappedAsTrained = BarsModel.Model.Take(1).Single().Transform(mlContext.Data.LoadFromEnumerable(new[] { new TextLabelled { Label = "2", Features = BarsModel.Images.Image(2).ToArray() } }));

        var outside = Assert.ThrowsExactly<ArgumentException>(() => mlContext.MulticlassClassification.Evaluate(model.Transform(fiveClasses)));
        var order = Assert.ThrowsExactly<ArgumentException>(() => model.Transform(reordered));
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(mappedAsTrained));

        StringAssert.Contains(outside.Message, "'Label'");
        StringAssert.Contains(outside.Message, "keys 1 to 5");
        StringAssert.Contains(outside.Message, "outside the trained range");
        StringAssert.Contains(order.Message, "'3' as 1");
        StringAssert.Contains(order.Message, "class 1 is '0'");
        Assert.AreEqual(1, metrics.ConfusionMatrix.Counts.Sum(row => row.Sum()), "the training pipeline's keys are accepted");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void EvaluatingALabelTheModelNeverSawIsAnErrorNamingTheRowNotASilentlySkippedRow()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 6).Select(i => BarsModel.InputOf(i)).ToArray();
        rows[3].Label = "never-seen";
        var test = mlContext.Data.LoadFromEnumerable(rows);

        var error = Assert.ThrowsExactly<InvalidOperationException>(
            () => mlContext.MulticlassClassification.Evaluate(BarsModel.Model.Transform(test)));
        var unlabelledScores = BarsModel.Scores(BarsModel.Model, test);
        using var engine = BarsModel.Engine(mlContext, BarsModel.Model);
        var prediction = engine.Predict(rows[3]);
        var labelledOnly = mlContext.MulticlassClassification.Evaluate(BarsModel.Model.Transform(mlContext.Data.LoadFromEnumerable(rows.Where((_, i) => i != 3))));

        StringAssert.Contains(error.GetBaseException().Message, "Row 3");
        StringAssert.Contains(error.GetBaseException().Message, "label column 'Label'");
        StringAssert.Contains(error.GetBaseException().Message, "FilterRowsByMissingValues");
        Assert.HasCount(6, unlabelledScores, "scores alone are still given for every row");
        Assert.HasCount(4, prediction.Score);
        Assert.AreEqual(5, labelledOnly.ConfusionMatrix.Counts.Sum(row => row.Sum()));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void NonFiniteValuesAreRejectedWhenScoringNamingRowAndColumn()
    {
        using var engine = BarsModel.Engine(BarsModel.Context, BarsModel.Model);
        var input = BarsModel.InputOf(0);
        input.Features[17] = float.PositiveInfinity;

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(input));

        StringAssert.Contains(error.Message, "'Features'");
        StringAssert.Contains(error.Message, "non-finite");
        StringAssert.Contains(error.Message, "index 17");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ImageFilesThatCannotBeReadOrDoNotFitAreNamedWithTheirRowWhenScoring()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "fits.png"), 0, width: BarsModel.Size, height: BarsModel.Size);
        ImageFiles.Write(Path.Combine(folder, "larger.png"), 1, width: 20, height: 20);
        File.WriteAllText(Path.Combine(folder, "broken.png"), "not a PNG");
        var mlContext = new MLContext();
        IDataView Images(params string[] files)
        {
            var paths = mlContext.Data.LoadFromEnumerable(files.Select(f => new ImagePath { Path = f }));
            return mlContext.Transforms.LoadImages("Features", folder, nameof(ImagePath.Path)).Fit(paths).Transform(paths);
        }
        var model = BarsModel.Model.LastTransformer;

        var unsized = Assert.ThrowsExactly<InvalidOperationException>(() => model.Transform(Images("fits.png", "larger.png")).GetColumn<float[]>("Score").ToList());
        var broken = Assert.ThrowsExactly<InvalidOperationException>(() => model.Transform(Images("fits.png", "broken.png")).GetColumn<float[]>("Score").ToList());

        StringAssert.Contains(unsized.Message, "Row 1");
        StringAssert.Contains(unsized.Message, "20x20");
        StringAssert.Contains(unsized.Message, "ResizeImages");
        StringAssert.Contains(broken.Message, "Row 1");
        StringAssert.Contains(broken.Message, "'Features'");
        StringAssert.Contains(broken.Message, "cannot be read");
        Assert.HasCount(1, model.Transform(Images("fits.png")).GetColumn<float[]>("Score").ToList(), "an image of the model's size scores");
    }

    private sealed class TextLabelled
    {
        public string Label { get; set; } = "";

        [VectorType(1, BarsModel.Size, BarsModel.Size)]
        public float[] Features { get; set; } = [];
    }

    private sealed class ImagePath
    {
        public string Path { get; set; } = "";
    }
}
