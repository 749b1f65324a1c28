using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class BatchFeedingTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(60, seed: 1);

    [TestCategory("Fast")]

    [TestMethod]
    public void PrefetchedBatchesAreTheBatchesPreparedInline()
    {
        var order = new ShuffledOrder(Train.Count, seed: 4, stream: 1);
        using var scope = NewDisposeScope();
        List<(float[] Images, long[] Labels)> Epoch(bool prefetch)
        {
            using var batches = new EpochBatches(Train, order, epoch: 1, batchSize: 8, firstStep: 0, prefetch, pinMemory: false);
            var taken = new List<(float[], long[])>();
            while (batches.TryTake(scope, out var images, out var labels))
                taken.Add((images.data<float>().ToArray(), labels.data<long>().ToArray()));
            return taken;
        }

        var inline = Epoch(prefetch: false);
        var prefetched = Epoch(prefetch: true);

        Assert.HasCount(EpochBatches.StepCount(Train.Count, 8), prefetched);
        Assert.HasCount(inline.Count, prefetched);
        for (int i = 0; i < inline.Count; i++)
        {
            CollectionAssert.AreEqual(inline[i].Images, prefetched[i].Images, $"images of batch {i}");
            CollectionAssert.AreEqual(inline[i].Labels, prefetched[i].Labels, $"labels of batch {i}");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void PrefetchedBatchesComeInOrderAndAnAbandonedEpochFreesTheRest()
    {
        var order = new ShuffledOrder(Train.Count, seed: 3, stream: 1);
        long[] secondBatch = [.. Enumerable.Range(8, 8).Select(i => (long)Train.Labels[order[i]])];
        // Earlier tests' garbage is finalised first: a finaliser freeing their tensors mid-test would move the count.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveTensors = Tensor.TotalCount;

        using (var batches = new EpochBatches(Train, order, epoch: 1, batchSize: 8, firstStep: 1, prefetch: true, pinMemory: false))
        {
            using var scope = NewDisposeScope();
            Assert.IsTrue(batches.TryTake(scope, out _, out var labels));
            CollectionAssert.AreEqual(secondBatch, labels.data<long>().ToArray());
        }

        Assert.AreEqual(liveTensors, Tensor.TotalCount, "the batches prepared ahead and never taken were freed");
        Assert.AreEqual(8, EpochBatches.StepCount(Train.Count, 8), "60 images in batches of 8: 7 full batches and one of 4");
        Assert.AreEqual(2, EpochBatches.StepCount(17, 8), "a last batch of a single image is dropped");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TrainingReleasesEveryTensorItCreates()
    {
        using var model = TinyNetwork.Create(Train, seed: 5);
        var trainer = new ClassifierTrainer(new TrainingOptions
        {
            Epochs = 1, BatchSize = 8, Seed = 5, Schedule = ScheduleKind.OneCycle, LabelSmoothing = 0.1,
            EarlyStopping = new EarlyStoppingOptions { Metric = TrainingMetric.TrainLoss },
            Checkpoints = new CheckpointOptions { Folder = TestFolders.Create(), EverySteps = 3 },
        });
        trainer.Train(model, Train);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveTensors = Tensor.TotalCount;

        trainer.Train(model, Train);

        Assert.AreEqual(liveTensors, Tensor.TotalCount);
    }
}
