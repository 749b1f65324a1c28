using MLNetCnn.Architectures;
using MLNetCnn.Data;
using MLNetCnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests;

[TestClass]
public sealed class ModelZooTests
{
    public static IEnumerable<object[]> RegisteredNames => ModelZoo.Names.Select(name => new object[] { name });

    [TestMethod]
    [DynamicData(nameof(RegisteredNames))]
    public void EveryRegisteredModelRunsForwardAndBackwardOnSmallImages(string name)
    {
        // Batches of two, and backward at 28x28 only, keep the deep ResNets (which run small images at full resolution) quick.
        const int Batch = 2;
        using (var scope = NewDisposeScope())
        {
            using var network = ModelZoo.Create(name, new ModelSpec(new ImageShape(1, 28, 28), ClassCount: 7));
            var logits = network.call(randn(Batch, 1, 28, 28));
            // As the trainer does, auxiliary heads (GoogLeNet's) add their losses so that they get gradients too.
            var loss = logits.sum();
            if (network is IAuxiliaryLoss auxiliary && auxiliary.AuxiliaryLoss(randint(0, 7, [Batch]), (output, target) => nn.functional.cross_entropy(output, target)) is { } extra)
                loss = loss + extra;
            loss.backward();

            AssertLogits(name, "1x28x28", logits);
            Assert.IsTrue(network.parameters().All(p => p.grad is not null), $"{name}: every parameter gets a gradient");
        }
        using (var scope = NewDisposeScope())
        {
            using var network = ModelZoo.Create(name, new ModelSpec(new ImageShape(3, 32, 32), ClassCount: 7));
            network.eval();
            using var noGrad = no_grad();
            AssertLogits(name, "3x32x32", network.call(randn(Batch, 3, 32, 32)));
        }

        static void AssertLogits(string name, string input, Tensor logits)
        {
            CollectionAssert.AreEqual(new long[] { Batch, 7 }, logits.shape, $"{name} at {input}");
            Assert.IsFalse(logits.isnan().any().item<bool>(), $"{name} at {input} produced NaN");
        }
    }

    [TestMethod]
    public void LeNet5HasThePaperGeometryAtThirtyTwoPixels()
    {
        using var network = ModelZoo.Create("lenet5", new ModelSpec(new ImageShape(1, 32, 32), 10));
        long parameters = network.parameters().Sum(p => p.numel());
        // C1 156 + C3 2,416 + C5 48,120 + F6 10,164 + output 850 (C3 fully connected, as modern LeNet-5s are).
        Assert.AreEqual(61_706L, parameters);
    }

    [TestMethod]
    public void UnknownNameListsTheRegisteredOnes()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("lenet6", new ModelSpec(new ImageShape(1, 28, 28), 10)));
        StringAssert.Contains(error.Message, "lenet6");
        StringAssert.Contains(error.Message, "lenet5");
    }

    [TestMethod]
    public void RegisteringAnExistingOrMalformedNameFails()
    {
        Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Register("LeNet5", spec => nn.Identity()));
        Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Register("my net", spec => nn.Identity()));
    }

    [TestMethod]
    public void ASpecWithFewerThanTwoClassesIsRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("lenet5", new ModelSpec(new ImageShape(1, 28, 28), 1)));
        StringAssert.Contains(error.Message, "2 classes");
    }
}
