using MLNetCnn.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Layers;

[TestClass]
public sealed class ResidualBlockTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ABasicBlockWithZeroWeightsPassesItsInputThroughTheShortcut()
    {
        using var block = new BasicBlock(16, 16);
        using (no_grad())
        {
            foreach (var conv in block.modules().OfType<Conv2d>())
                conv.weight!.zero_();
        }
        block.eval();
        var input = randn(2, 16, 5, 5);

        var output = block.call(input);

        Assert.IsTrue(output.allclose(input.relu()), "relu(F(x) + x) with F = 0");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ABottleneckWithAProjectionChangesChannelsAndResolution()
    {
        using var block = new Bottleneck(64, 32, stride: 2, downsample: ResidualShortcut.Projection(64, 128, 2));
        var names = block.named_parameters().Select(p => p.name).ToList();

        CollectionAssert.AreEqual(new long[] { 2, 128, 4, 4 }, block.call(randn(2, 64, 8, 8)).shape);
        CollectionAssert.IsSubsetOf(new[] { "conv1.weight", "conv3.weight", "bn3.weight", "downsample.0.weight", "downsample.1.weight" }, names);
        CollectionAssert.AreEqual(new long[] { 32, 64, 1, 1 }, block.named_parameters().Single(p => p.name == "conv1.weight").parameter.shape);
    }

    [TestCategory("Fast")]
    [TestMethod]
    public void AStridedProjectionComputesAStridedOneByOneConvolutionAndItsGradients()
    {
        using var shortcut = ResidualShortcut.Projection(16, 32, 2);
        shortcut.eval();
        var convolution = (Conv2d)shortcut.named_modules().Single(m => m.name == "0").module;
        var input = randn(2, 16, 7, 7, requires_grad: true);
        var reference = input.detach().requires_grad_(true);

        var output = shortcut.call(input);
        var expected = nn.functional.batch_norm(nn.functional.conv2d(reference, convolution.weight!, strides: [2, 2]),
            zeros(32), ones(32), ones(32), zeros(32), training: false);
        output.sum().backward();
        expected.sum().backward();

        CollectionAssert.AreEqual(new long[] { 2, 32, 4, 4 }, output.shape);
        Assert.IsTrue(output.allclose(expected, rtol: 1e-4, atol: 1e-5), "the same outputs as a stride-2 1x1 convolution");
        Assert.IsTrue(input.grad!.allclose(reference.grad!, rtol: 1e-4, atol: 1e-5), "and the same input gradients");
    }

    [TestMethod]
    public void ResNet50sWidestStridedBlockTrainsOnMachinesThatReportNoCacheSizes()
    {
        // ResNet-50's first layer4 block: libtorch's strided 1x1 backward kernel divides by zero here on such machines.
        using var block = new Bottleneck(1024, 512, stride: 2, downsample: ResidualShortcut.Projection(1024, 2048, 2));
        var input = randn(2, 1024, 4, 4, requires_grad: true);

        block.call(input).sum().backward();

        Assert.IsTrue(block.parameters().All(p => p.grad is not null) && input.grad is not null);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void DilationWidensTheViewAndKeepsTheResolution()
    {
        using var block = new Bottleneck(256, 64, dilation: 2);
        var conv2 = block.named_modules().Single(m => m.name == "conv2").module;
        block.eval();

        CollectionAssert.AreEqual(new long[] { 1, 256, 9, 9 }, block.call(randn(1, 256, 9, 9)).shape);
        // A dilated 3x3 reads pixels 2 apart: a single bright pixel reaches outputs up to 2 pixels away, not 3.
        var input = zeros(1, 64, 9, 9);
        input[0, TensorIndex.Colon, 4, 4] = ones(64);
        var reached = ((Conv2d)conv2).call(input).abs().sum(1).squeeze(0).gt(0);
        Assert.IsTrue(reached[4, 2].item<bool>() && reached[2, 6].item<bool>());
        Assert.IsFalse(reached[4, 3].item<bool>() || reached[4, 1].item<bool>());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheZeroPaddedIdentitySubsamplesAndPadsWithoutParameters()
    {
        using var shortcut = ResidualShortcut.ZeroPaddedIdentity(16, 32, 2);
        var input = randn(1, 16, 8, 8);

        var output = shortcut.call(input);

        CollectionAssert.AreEqual(new long[] { 1, 32, 4, 4 }, output.shape);
        var every2 = TensorIndex.Slice(step: 2);
        Assert.IsTrue(output[TensorIndex.Colon, TensorIndex.Slice(0, 16)].eq(input[TensorIndex.Colon, TensorIndex.Colon, every2, every2]).all().item<bool>());
        Assert.IsTrue(output[TensorIndex.Colon, TensorIndex.Slice(16, 32)].eq(0).all().item<bool>());
        Assert.IsEmpty(shortcut.parameters());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ABlockThatChangesShapeWithoutAShortcutIsRejected()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new BasicBlock(16, 32, stride: 2));

        StringAssert.Contains(error.Message, "downsample");
    }
}
