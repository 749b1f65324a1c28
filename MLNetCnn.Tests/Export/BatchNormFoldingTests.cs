using MLNetCnn.Data;
using MLNetCnn.Export;
using MLNetCnn.Tests.Training;
using MLNetCnn.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Export;

[TestClass]
public sealed class BatchNormFoldingTests
{
    // Folding rounds W s once instead of applying s to every output: about 1e-6 here; the margin covers other CPUs' kernels.
    private const double Tolerance = 1e-5;
    private static readonly ImageDataset Colour = SyntheticImages.Bars(8, classCount: 4, size: 16, channels: 3, seed: 5);

    [TestMethod]
    [DataRow("resnet18", 0)]
    [DataRow("resnet50", 0)]
    [DataRow("resnet20", 0)]
    [DataRow("mobilenet-v1", 0)]
    [DataRow("vgg11-bn", 0)]
    [DataRow("googlenet-torchvision", 2, DisplayName = "googlenet-torchvision: its two auxiliary heads run in training only")]
    public void ScoringFoldsEveryBatchNormIntoItsConvolutionAndGivesTheUnfusedLogits(string architecture, int unused)
    {
        using var model = Model(architecture);
        Randomise(model);
        var before = TrainedWeights.Of(model);
        using var scope = NewDisposeScope();
        var (images, _) = Colour.ReadBatch(epoch: 0, [0, 1, 2, 3]);
        var expected = Unfused(model, images);

        var actual = model.Logits(images);

        AssertClose(expected, actual, architecture);
        model.UseScoringNetwork(network =>
        {
            Assert.AreNotSame(model.Network, network, "scoring runs a copy");
            var norms = network.modules().OfType<BatchNorm>().ToList();
            Assert.IsNotEmpty(norms);
            Assert.AreEqual(norms.Count - unused, norms.Count(BatchNormFolding.IsFolded), "every batch norm scoring runs follows a convolution");
        });
        Assert.IsFalse(model.Network.modules().OfType<BatchNorm>().Any(BatchNormFolding.IsFolded), "the trainable network keeps its batch norms");
        var after = TrainedWeights.Of(model);
        foreach (var (name, values) in before)
            CollectionAssert.AreEqual(values, after[name], $"scoring left '{name}' as it was");
    }

    [TestMethod]
    public void AfterTrainingScoringFoldsTheNewWeights()
    {
        using var model = Model("resnet20");
        using var scope = NewDisposeScope();
        var (images, _) = Colour.ReadBatch(epoch: 0, [0, 1, 2, 3]);
        var untrained = model.Logits(images);

        new ClassifierTrainer(new TrainingOptions { Epochs = 2, BatchSize = 4, Seed = 1, LearningRate = 0.01 }).Train(model, Colour);

        var trained = model.Logits(images);
        AssertClose(Unfused(model, images), trained, "after training");
        Assert.IsGreaterThan(1e-3, (trained - untrained).abs().max().item<float>(), "training changed the logits");
    }

    [TestMethod]
    public void ANetworkInTrainingModeScoresUnfusedWithItsBatchStatistics()
    {
        using var model = Model("resnet20");
        using var scope = NewDisposeScope();
        var (images, _) = Colour.ReadBatch(epoch: 0, [0, 1, 2, 3]);
        model.Network.train();
        using var noGrad = no_grad();

        var training = model.Logits(images);

        model.UseScoringNetwork(network => Assert.AreSame(model.Network, network));
        Assert.IsGreaterThan(1e-3, (training - Unfused(model, images)).abs().max().item<float>(), "batch statistics, not the running ones");
    }

    /// <summary>A fresh model in evaluation mode, as training leaves one.</summary>
    private static CnnModel Model(string architecture)
    {
        var model = CnnModel.Create(architecture, new ModelSpec(Colour.Shape, Colour.ClassCount), InputNormalization.FromData(Colour), CPU, seed: 3);
        model.Network.eval();
        return model;
    }

    /// <summary>Running statistics and affine parameters far from a fresh batch norm's identity, so that folding them matters.</summary>
    private static void Randomise(CnnModel model)
    {
        using var noGrad = no_grad();
        var generator = new Generator(7);
        foreach (var norm in model.Network.modules().OfType<BatchNorm>())
        {
            norm.running_mean!.uniform_(-0.5, 0.5, generator);
            norm.running_var!.uniform_(0.5, 2, generator);
            norm.weight!.uniform_(0.5, 1.5, generator);
            norm.bias!.uniform_(-0.3, 0.3, generator);
        }
        model.WeightsChanged();
    }

    private static Tensor Unfused(CnnModel model, Tensor images)
    {
        using var noGrad = no_grad();
        bool training = model.Network.training;
        model.Network.eval();
        try
        {
            return model.Network.forward(model.Normalization.Apply(images));
        }
        finally
        {
            model.Network.train(training);
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var e = expected.data<float>().ToArray();
        var a = actual.data<float>().ToArray();
        Assert.HasCount(e.Length, a);
        double scale = 1 + e.Max(Math.Abs);
        for (int i = 0; i < e.Length; i++)
            Assert.IsLessThanOrEqualTo(Tolerance * scale, Math.Abs(e[i] - a[i]), $"{what}: logit {i} is {a[i]} fused and {e[i]} unfused");
    }
}
