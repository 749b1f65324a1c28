using Microsoft.ML;
using MLNetCnn.Estimators;
using MLNetCnn.Tests.Training;
using MLNetCnn.Training;

namespace MLNetCnn.Tests.Estimators.DataPath;

[TestClass]
public sealed class BoundedMemoryTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void AMillionRowsTrainAnEpochWithoutHoldingThemInMemory()
    {
        const long Rows = 1_000_000;
        const int BatchSize = 8192;
        TinyNetwork.EnsureRegistered();
        var data = new GeneratedDataView(Rows);
        long baseline = Heap();
        long peak = baseline;
        void Sample() => peak = Math.Max(peak, Heap());
        data.OnRow = Sample;
        var steps = new List<StepReport>();
        var options = new CnnClassificationTrainer.Options
        {
            Architecture = TinyNetwork.Name, Epochs = 1, BatchSize = BatchSize, LearningRate = 0.01, Seed = 1,
            OnStepEnd = step =>
            {
                steps.Add(step);
                if (step.Step % 20 == 0)
                    Sample();
            },
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var model = new MLContext(seed: 1).MulticlassClassification.Trainers.Cnn(options).Fit(data);

        TestContext.WriteLine($"{Rows} rows in {clock.Elapsed.TotalSeconds:F1} s; managed heap {baseline / 1e6:F1} MB before, at most {peak / 1e6:F1} MB during; " +
            $"accuracy {model.TrainingHistory[0].TrainAccuracy:P1}");
        Assert.AreEqual(1, data.FeaturePasses, "the images were read once, into the record file");
        Assert.AreEqual(Rows, data.RowsProduced);
        Assert.AreEqual(Rows, steps[^1].ImagesSeen, "the epoch trained on every row");
        Assert.HasCount((int)((Rows + BatchSize - 1) / BatchSize), steps);
        // The rows as floats take 64 MB (a List<float[]> of them over 100 MB); a few batches take under 2 MB.
        Assert.IsLessThan(24_000_000, peak - baseline, "the managed heap grew by far less than the data set");
        Assert.IsGreaterThan(0.9, model.TrainingHistory[0].TrainAccuracy, "the network learned the classes");
    }

    private static long Heap() => GC.GetTotalMemory(forceFullCollection: true);
}
