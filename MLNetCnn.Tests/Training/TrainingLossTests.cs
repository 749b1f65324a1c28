using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class TrainingLossTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(64, seed: 1);

    [TestMethod]
    public void AHugeLearningRateStopsWithAnErrorNamingTheEpochAndStep()
    {
        using var model = CnnModel.Create("lenet5", new ModelSpec(Train.Shape, Train.ClassCount), InputNormalization.FromData(Train), CPU, seed: 1);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 3, BatchSize = 16, Optimizer = OptimizerKind.Sgd, LearningRate = 1e8, Seed = 1 });

        var error = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train(model, Train));

        StringAssert.Contains(error.Message, $"in epoch {error.Epoch}, step {error.Step}");
        StringAssert.Contains(error.Message, "Lower the learning rate");
        Assert.AreEqual(1e8, error.LearningRate);
    }

    [TestMethod]
    public void AuxiliaryLossesGetTheLabelSmoothedCriterion()
    {
        using var model = TinyNetwork.Create(Train, seed: 1);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 1, BatchSize = 16, LabelSmoothing = 0.2, Seed = 1 });

        trainer.Train(model, Train);

        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 2, -1, 0.5f, 0, 1, 1, -2, 3 }, [2, 4]);
        var target = tensor(new long[] { 0, 3 });
        float smoothed = nn.functional.cross_entropy(logits, target, label_smoothing: 0.2).item<float>();
        float unsmoothed = nn.functional.cross_entropy(logits, target).item<float>();
        Assert.AreEqual(smoothed, TinyNetwork.LastCriterion!(logits, target).item<float>(), 1e-6);
        Assert.AreNotEqual(unsmoothed, smoothed, 1e-3f);
    }

    [TestMethod]
    public void ClippingBoundsTheUpdateOfEachStep()
    {
        // With plain SGD a step moves the weights by lr * gradient, so a clipped gradient norm bounds the change.
        const double learningRate = 0.5, clip = 0.01;
        using var model = CnnModel.Create("lenet5", new ModelSpec(Train.Shape, Train.ClassCount), InputNormalization.FromData(Train), CPU, seed: 2);
        var before = TrainedWeights.Of(model);
        new ClassifierTrainer(new TrainingOptions
        {
            Epochs = 1, BatchSize = 64, Optimizer = OptimizerKind.Sgd, Momentum = 0, LearningRate = learningRate, GradientClipNorm = clip, Seed = 2,
        }).Train(model, Train);

        var after = TrainedWeights.Of(model);
        double change = Math.Sqrt(before.Sum(entry => entry.Value.Zip(after[entry.Key]).Sum(p => Math.Pow(p.First - p.Second, 2))));
        Assert.AreEqual(learningRate * clip, change, 1e-4);
    }
}
