using MLNetCnn.Data;
using MLNetCnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class BatchFeedingTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(60, seed: 1);

    [TestMethod]
    public void PrefetchingGivesTheSameModelAsPreparingBatchesInline()
    {
        Dictionary<string, float[]> TrainOnce(bool prefetch)
        {
            using var model = TinyNetwork.Create(Train, seed: 4);
            new ClassifierTrainer(new TrainingOptions { Epochs = 2, BatchSize = 8, Seed = 4, Prefetch = prefetch }).Train(model, Train);
            return TrainedWeights.Of(model);
        }

        TrainedWeights.AssertEqual(TrainOnce(prefetch: false), TrainOnce(prefetch: true));
    }

    [TestMethod]
    public void WholePixelValuesAreHeldAsBytesAndComeBackAsTheSameFloats()
    {
        var whole = new ImageDataset(Train.Shape, Array.ConvertAll(Train.Pixels, MathF.Round), Train.Labels, Train.ClassCount);
        using var bytes = CompactImageTensors.From(whole);
        using var floats = CompactImageTensors.From(Train);
        using var scope = NewDisposeScope();
        var indices = tensor(new long[] { 7, 0, 42 });

        var (images, labels) = bytes.Batch(indices);

        Assert.AreEqual(ScalarType.Byte, bytes.StorageType);
        Assert.AreEqual(ScalarType.Float32, floats.StorageType);
        Assert.AreEqual(ScalarType.Float32, images.dtype);
        float[] expected = [.. whole.Image(7), .. whole.Image(0), .. whole.Image(42)];
        CollectionAssert.AreEqual(expected, images.data<float>().ToArray());
        CollectionAssert.AreEqual(new long[] { whole.Labels[7], whole.Labels[0], whole.Labels[42] }, labels.data<long>().ToArray());
        CollectionAssert.AreEqual(Train.Image(42).ToArray(), floats.Batch(tensor(new long[] { 42 })).Images.data<float>().ToArray());
    }

    [TestMethod]
    public void PrefetchedBatchesComeInOrderAndAnAbandonedEpochFreesTheRest()
    {
        using var data = CompactImageTensors.From(Train);
        using var order = randperm(Train.Count, generator: new Generator(3));
        var expectedFirst = order.narrow(0, 8, 8).data<long>().ToArray().Select(i => Train.Labels[i]).ToArray();

        using (var batches = new EpochBatches(data, order, batchSize: 8, firstStep: 1, prefetch: true, pinMemory: false))
        {
            using var scope = NewDisposeScope();
            Assert.IsTrue(batches.TryTake(scope, out _, out var labels));
            CollectionAssert.AreEqual(expectedFirst.Select(l => (long)l).ToArray(), labels.data<long>().ToArray());
        }

        Assert.AreEqual(8, EpochBatches.StepCount(Train.Count, 8), "60 images in batches of 8: 7 full batches and one of 4");
        Assert.AreEqual(2, EpochBatches.StepCount(17, 8), "a last batch of a single image is dropped");
    }
}
