using MLNetCnn.Data;
using MLNetCnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class MixedPrecisionTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(64, seed: 1);

    [TestCategory("Fast")]

    [TestMethod]
    public void MixedPrecisionHasNoEffectOnTheCpu()
    {
        Dictionary<string, float[]> TrainOnce(MixedPrecision precision)
        {
            using var model = TinyNetwork.Create(Train, seed: 2);
            new ClassifierTrainer(new TrainingOptions { Epochs = 1, BatchSize = 16, Seed = 2, MixedPrecision = precision }).Train(model, Train);
            return TrainedWeights.Of(model);
        }

        TrainedWeights.AssertEqual(TrainOnce(MixedPrecision.None), TrainOnce(MixedPrecision.BFloat16));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void BFloat16PassesTrainTheFloat32MasterWeights()
    {
        // The CUDA path, run on the CPU: 16-bit passes on a copy, float32 updates on the model's own weights.
        using var model = TinyNetwork.Create(Train, seed: 3);
        var options = new TrainingOptions { BatchSize = 16, LearningRate = 0.01, Seed = 3 };
        using var optimizer = OptimizerFactory.Create(options, model.Network.parameters());
        using var step = new TrainingStep(model, optimizer, options, new MixedPrecisionNetwork(model, MixedPrecision.BFloat16), nonBlockingCopies: false);
        var before = TrainedWeights.Of(model);
        model.Network.train();

        var losses = new List<double>();
        long liveTensors = 0;
        for (int i = 0; i < 40; i++)
        {
            if (i == 1)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                liveTensors = Tensor.TotalCount;
            }
            using var scope = NewDisposeScope();
            var indices = arange(16 * (i % 4), 16 * (i % 4 + 1), dtype: ScalarType.Int64);
            var images = tensor(Train.Pixels, [Train.Count, 1, Train.Shape.Height, Train.Shape.Width]).index_select(0, indices);
            var labels = tensor(Array.ConvertAll(Train.Labels, l => (long)l)).index_select(0, indices);
            losses.Add(step.Run(images, labels, epoch: 1, step: i + 1).Loss);
        }

        Assert.AreEqual(liveTensors, Tensor.TotalCount, "mixed-precision steps release every tensor they create");
        Assert.IsTrue(model.Network.parameters().All(p => p.dtype == ScalarType.Float32));
        Assert.IsLessThan(losses.Take(4).Average() / 2, losses.TakeLast(4).Average());
        var after = TrainedWeights.Of(model);
        Assert.IsTrue(before.Any(entry => !entry.Value.SequenceEqual(after[entry.Key])), "the master weights changed");
        Assert.IsTrue(after.Where(entry => entry.Key.EndsWith("running_mean", StringComparison.Ordinal)).All(entry => entry.Value.Any(v => v != 0)),
            "batch-norm statistics come back from the 16-bit copy");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheLossScalerSkipsOverflowingStepsAndAdaptsTheScale()
    {
        var scaler = new LossScaler();
        scaler.Update(gradientsWereFinite: false);
        Assert.AreEqual(LossScaler.InitialScale / 2, scaler.Scale);
        for (int i = 0; i < LossScaler.GrowthInterval - 1; i++)
            scaler.Update(gradientsWereFinite: true);
        Assert.AreEqual(LossScaler.InitialScale / 2, scaler.Scale);
        scaler.Update(gradientsWereFinite: true);
        Assert.AreEqual(LossScaler.InitialScale, scaler.Scale);

        using var finite = new TorchSharp.Modules.Parameter(ones(3));
        using var overflowing = new TorchSharp.Modules.Parameter(ones(3));
        finite.grad = ones(3);
        overflowing.grad = tensor(new[] { 1f, float.PositiveInfinity, 0 });
        Assert.IsTrue(LossScaler.GradientsAreFinite([finite]));
        Assert.IsFalse(LossScaler.GradientsAreFinite([finite, overflowing]));
    }
}
