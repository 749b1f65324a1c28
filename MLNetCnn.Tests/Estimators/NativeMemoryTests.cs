using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;
using TorchSharp;

namespace MLNetCnn.Tests.Estimators;

/// <summary>
/// Short leak checks: after a warm-up, thousands of predictions and hundreds of training steps leave no tensor
/// behind (each is disposed when its step ends) and resident memory does not grow clearly.
/// </summary>
[TestClass]
public sealed class NativeMemoryTests
{
    private const int Size = 32;

    // Generous: resident memory moves by tens of megabytes with allocator and runtime state alone.
    private const long ClearGrowth = 64L << 20;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ThousandsOfPredictionsLeaveNoTensorBehindAndResidentMemoryFlat()
    {
        var images = SyntheticImages.Bars(64, size: Size);
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(images);
        var model = mlContext.Transforms.Conversion.MapValueToKey("Label").Append(mlContext.MulticlassClassification.Trainers.Cnn(epochs: 1)).Fit(data);
        using var engine = mlContext.Model.CreatePredictionEngine<Input, Output>(model);
        var inputs = Enumerable.Range(0, images.Count).Select(i => new Input { Label = "0", Features = images.Image(i).ToArray() }).ToArray();
        long leftBehind = 0;
        void Score(int predictions, int passes)
        {
            for (int i = 0; i < predictions; i++)
                leftBehind = Math.Max(leftBehind, TensorsLeftBy(() => engine.Predict(inputs[i % inputs.Length])));
            for (int pass = 0; pass < passes; pass++)
                leftBehind = Math.Max(leftBehind, TensorsLeftBy(() => model.Transform(data).GetColumn<float[]>("Score").Count()));
        }

        Score(predictions: 200, passes: 2);
        leftBehind = 0;
        long before = ResidentBytes();
        Score(predictions: 2_000, passes: 4);
        long after = ResidentBytes();

        TestContext.WriteLine($"resident {before >> 20} MB -> {after >> 20} MB");
        Assert.AreEqual(0, leftBehind, "no prediction leaves a live tensor behind");
        Assert.IsLessThan(before + ClearGrowth, after);
    }

    [TestMethod]
    public void HundredsOfTrainingStepsLeaveNoTensorBehindAndResidentMemoryFlat()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(128, size: Size));
        long? warmTensors = null, warmResident = null, endResident = null;
        long mostTensors = 0;
        var trainer = mlContext.Transforms.Conversion.MapValueToKey("Label").Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
        {
            Epochs = 12,
            BatchSize = 8,
            OnStepEnd = step =>
            {
                if (step.Epoch == 1)
                    return;
                long live = torch.Tensor.TotalCount;
                warmTensors ??= live;
                warmResident ??= ResidentBytes();
                mostTensors = Math.Max(mostTensors, live);
                if (step is { Epoch: 12, Step: 16 })
                    endResident = ResidentBytes();
            },
        }));

        using var model = trainer.Fit(data);

        TestContext.WriteLine($"live tensors {warmTensors}, at most {mostTensors}; resident {warmResident >> 20} MB -> {endResident >> 20} MB over 176 steps");
        Assert.IsLessThanOrEqualTo(warmTensors!.Value, mostTensors, "no step ends with more live tensors than the first after warm-up");
        Assert.IsLessThan(warmResident!.Value + ClearGrowth, endResident!.Value);
    }

    // Tensors alive after the call that were not before it. The finalizer thread, freeing tensors other code left to
    // the garbage collector, can only lower the count.
    private static long TensorsLeftBy(Action call)
    {
        long before = torch.Tensor.TotalCount;
        call();
        return torch.Tensor.TotalCount - before;
    }

    // After a full collection, so the managed heap's own ups and downs do not count.
    private static long ResidentBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private sealed class Input
    {
        public string Label { get; set; } = "";

        [VectorType(1, Size, Size)]
        public float[] Features { get; set; } = [];
    }

    private sealed class Output
    {
        public float[] Score { get; set; } = [];
    }
}
