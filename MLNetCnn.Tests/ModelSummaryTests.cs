using MLNetCnn.Architectures;
using MLNetCnn.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Tests;

[TestClass]
public sealed class ModelSummaryTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void TotalsAreTheSumsOfTheRowsAndTheNetworksCounts()
    {
        using var network = ModelZoo.Create("resnet20", new ModelSpec(new ImageShape(3, 32, 32), 10));

        var summary = ModelSummary.Create(network, new ImageShape(3, 32, 32), "resnet20");

        Assert.AreEqual(network.parameters().Sum(p => p.numel()), summary.Parameters);
        Assert.AreEqual(summary.Layers.Sum(l => l.Parameters), summary.Parameters);
        Assert.AreEqual(summary.Parameters, summary.TrainableParameters);
        Assert.AreEqual(summary.Layers.Sum(l => l.MultiplyAdds), summary.MultiplyAdds);
        Assert.AreEqual(0L, summary.UnusedParameters);
        // Running mean and variance of 19 batch normalisations: 16 channels in 7, 32 in 6, 64 in 6.
        Assert.AreEqual(2L * (7 * 16 + 6 * 32 + 6 * 64), summary.BufferValues);
        CollectionAssert.AreEqual(new long[] { 10 }, summary.OutputShape.ToArray());
        // conv1: 16 filters of 3x3x3 at each of 32x32 positions.
        Assert.AreEqual(16L * 27 * 32 * 32, summary.Layers[0].MultiplyAdds);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void PrintsEveryLayerAndTheTotalsLikeKeras()
    {
        var summary = ModelSummary.Create("lenet5", new ModelSpec(new ImageShape(1, 28, 28), 10));

        string text = summary.ToString();

        StringAssert.StartsWith(text, "Model: lenet5, input 1x28x28, output 10");
        StringAssert.Contains(text, "Layer (type)");
        StringAssert.Matches(text, new System.Text.RegularExpressions.Regex(@"features\.c1 \(Conv2d\)\s+6x28x28\s+156\s+117,600"));
        StringAssert.Contains(text, "Total params: 61,706 (0.24 MB)");
        StringAssert.Contains(text, "Trainable params: 61,706");
        Assert.HasCount(summary.Layers.Count + 10, text.TrimEnd().Split('\n'));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ACompositeThatCallsItsLayersDirectlyIsOneRowWithItsOwnCount()
    {
        using var network = nn.Sequential(("opaque", new OpaqueBlock()), ("flatten", nn.Flatten()));

        var summary = ModelSummary.Create(network, new ImageShape(2, 5, 5));

        var opaque = summary.Layers.Single(l => l.Name == "opaque");
        Assert.AreEqual("OpaqueBlock", opaque.Type);
        Assert.AreEqual(2L * 4 * 9 + 4, opaque.Parameters);
        Assert.AreEqual(42L, opaque.MultiplyAdds, "from ICountsMultiplyAdds");
        CollectionAssert.AreEqual(new long[] { 4, 5, 5 }, opaque.OutputShape.ToArray());
        Assert.HasCount(2, summary.Layers);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheNetworkKeepsItsTrainingMode()
    {
        using var network = ModelZoo.Create("resnet20", new ModelSpec(new ImageShape(3, 16, 16), 10));
        network.train();
        var before = network.buffers().Select(b => b.clone()).ToList();

        ModelSummary.Create(network, new ImageShape(3, 16, 16));

        Assert.IsTrue(network.training);
        Assert.IsTrue(network.buffers().Zip(before).All(pair => pair.First.eq(pair.Second).all().item<bool>()), "batch-norm statistics are untouched");
    }

    /// <summary>A block that calls its convolution's forward directly, so the summary cannot see inside.</summary>
    private sealed class OpaqueBlock : nn.Module<Tensor, Tensor>, ICountsMultiplyAdds
    {
        private readonly Conv2d conv;

        public OpaqueBlock() : base(nameof(OpaqueBlock))
        {
            conv = nn.Conv2d(2, 4, 3, padding: 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => conv.forward(input);

        public long MultiplyAdds(IReadOnlyList<long> inputShape, IReadOnlyList<long> outputShape) => 42;
    }
}
