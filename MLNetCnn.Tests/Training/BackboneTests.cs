using MLNetCnn.Architectures;
using MLNetCnn.Data;
using MLNetCnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class BackboneTests
{
    private static readonly ImageDataset Bars = SyntheticImages.Bars(16, classCount: 4, size: 12, channels: 3, seed: 4);

    [TestMethod]
    public void AFrozenBackboneKeepsItsWeightsAndBatchNormStatisticsThenLearnsOnceThawed()
    {
        using var model = CnnModel.Create("resnet20", new ModelSpec(Bars.Shape, 4), InputNormalization.Identity(3), CPU, seed: 2);
        var initial = Snapshot(model);
        Dictionary<string, Tensor>? afterFrozenEpoch = null;
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 2, FrozenBackboneEpochs = 1, BatchSize = 8, LearningRate = 0.01, Seed = 2 });
        trainer.EpochCompleted += report => afterFrozenEpoch ??= Snapshot(model);

        trainer.Train(model, Bars);

        var thawed = Snapshot(model);
        var backbone = initial.Keys.Where(name => !name.StartsWith("fc.", StringComparison.Ordinal)).ToList();
        Assert.IsTrue(backbone.Any(name => name.EndsWith("running_mean", StringComparison.Ordinal)), "the backbone has batch normalisation");
        CollectionAssert.AreEqual(Array.Empty<string>(), Changed(initial, afterFrozenEpoch!, backbone), "backbone tensors changed while frozen");
        CollectionAssert.AreEquivalent(new[] { "fc.weight", "fc.bias" }, Changed(initial, afterFrozenEpoch!, ["fc.weight", "fc.bias"]), "the head learns");
        Assert.IsTrue(Changed(afterFrozenEpoch!, thawed, backbone).Any(name => name.EndsWith("conv1.weight", StringComparison.Ordinal)), "the thawed backbone learns");
        Assert.IsTrue(model.Network.parameters().All(p => p.requires_grad), "training leaves every parameter trainable");
    }

    [TestMethod]
    public void TheBackboneLearnsAtItsFactorOfTheLearningRate()
    {
        var bars = SyntheticImages.Bars(16, classCount: 4, size: 28, seed: 4);
        var steps = new[] { 1.0, 0.25 }.Select(factor =>
        {
            using var model = CnnModel.Create("lenet5", new ModelSpec(bars.Shape, 4), InputNormalization.Identity(1), CPU, seed: 3);
            var before = Snapshot(model);
            // One full-batch step of plain gradient descent: the change is the learning rate times the gradient.
            new ClassifierTrainer(new TrainingOptions
            {
                Epochs = 1, BatchSize = bars.Count, Optimizer = OptimizerKind.Sgd, Momentum = 0, LearningRate = 0.1, BackboneLearningRateFactor = factor, Seed = 3,
            }).Train(model, bars);
            return Snapshot(model).ToDictionary(p => p.Key, p => p.Value - before[p.Key]);
        }).ToList();

        foreach (var (name, full) in steps[0])
        {
            bool head = name.StartsWith("classifier.output.", StringComparison.Ordinal);
            var expected = head ? full : full * 0.25;
            Assert.IsTrue(steps[1][name].allclose(expected, rtol: 1e-4, atol: 1e-7), $"{name} moves {(head ? "at the full" : "at a quarter of the")} learning rate");
        }
        Assert.IsGreaterThan(0f, steps[0]["features.c1.weight"].abs().max().item<float>());
    }

    [TestMethod]
    public void FreezingANetworkThatDoesNotNameItsHeadIsRefused()
    {
        const string Name = "test-network-without-named-head";
        if (!ModelZoo.Contains(Name))
            ModelZoo.Register(Name, spec => nn.Sequential(nn.Flatten(), nn.Linear(spec.Input.Size, spec.ClassCount)));
        using var model = CnnModel.Create(Name, new ModelSpec(Bars.Shape, 4), InputNormalization.Identity(3), CPU);

        var error = Assert.ThrowsExactly<ArgumentException>(() => new ClassifierTrainer(new TrainingOptions { FrozenBackboneEpochs = 1 }).Train(model, Bars));

        StringAssert.Contains(error.Message, Name);
        StringAssert.Contains(error.Message, nameof(IClassifierHead));
    }

    /// <summary>A copy of every parameter and buffer, by name.</summary>
    internal static Dictionary<string, Tensor> Snapshot(CnnModel model) =>
        model.Network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

    /// <summary>The names among <paramref name="names"/> whose tensors differ between two snapshots.</summary>
    internal static string[] Changed(Dictionary<string, Tensor> before, Dictionary<string, Tensor> after, IEnumerable<string> names) =>
        [.. names.Where(name => !before[name].eq(after[name]).all().item<bool>())];
}
