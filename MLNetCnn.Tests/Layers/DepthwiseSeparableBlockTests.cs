using MLNetCnn.Data;
using MLNetCnn.Layers;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Layers;

[TestClass]
public sealed class DepthwiseSeparableBlockTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void CostsOneOverNPlusOneNinthOfAStandardConvolution()
    {
        const int In = 32, Out = 64;
        using var block = new DepthwiseSeparableBlock(In, Out);
        using var standard = nn.Conv2d(In, Out, 3, padding: 1, bias: false);
        var input = new ImageShape(In, 14, 14);

        var separable = ModelSummary.Create(block, input);
        var full = ModelSummary.Create(standard, input);

        // Howard et al. (2017), equation 5.
        Assert.AreEqual(1.0 / Out + 1.0 / 9, separable.MultiplyAdds / (double)full.MultiplyAdds, 1e-12);
        Assert.AreEqual(In * 9L + 2 * In + In * Out + 2 * Out, separable.Parameters);
        CollectionAssert.AreEqual(new long[] { Out, 14, 14 }, separable.OutputShape.ToArray());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void StrideTwoHalvesTheMapAndNamesFollowTimm()
    {
        using var block = new DepthwiseSeparableBlock(8, 16, stride: 2);

        CollectionAssert.AreEqual(new long[] { 1, 16, 4, 4 }, block.call(rand(1, 8, 8, 8)).shape);
        CollectionAssert.AreEqual(new long[] { 8, 1, 3, 3 }, block.named_parameters().Single(p => p.name == "conv_dw.weight").parameter.shape);
        CollectionAssert.AreEqual(new long[] { 16, 8, 1, 1 }, block.named_parameters().Single(p => p.name == "conv_pw.weight").parameter.shape);
    }
}
