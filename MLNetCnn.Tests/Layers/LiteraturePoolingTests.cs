using static TorchSharp.torch;

namespace MLNetCnn.Tests.Layers;

/// <summary>The pooling layers of the literature that TorchSharp provides and the library uses as they are.</summary>
[TestClass]
public sealed class LiteraturePoolingTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void L2PoolingIsTheRootOfEachWindowsSumOfSquares()
    {
        using var pool = nn.LPPool2d(2, 2);
        var input = tensor(new float[] { 1, 2, -3, 0, 3, 4, 0, 4 }, [1, 1, 2, 4]);

        var output = pool.call(input).data<float>().ToArray();

        Assert.AreEqual(Math.Sqrt(1 + 4 + 9 + 16), output[0], 1e-5);
        Assert.AreEqual(Math.Sqrt(9 + 16), output[1], 1e-5);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void FractionalMaxPoolingShrinksByANonIntegerRatioWithRandomRegions()
    {
        // Graham (2014): output ratio 1/sqrt(2), pseudo-random pooling regions drawn anew at each pass.
        using var pool = nn.FractionalMaxPool2d(2, output_ratio: 1 / Math.Sqrt(2));
        manual_seed(3);
        var input = rand(1, 1, 32, 32);

        var first = pool.call(input);
        var second = pool.call(input);

        CollectionAssert.AreEqual(new long[] { 1, 1, 22, 22 }, first.shape);
        Assert.IsFalse(first.eq(second).all().item<bool>(), "regions differ between passes");
        var inputValues = input.data<float>().ToHashSet();
        Assert.IsTrue(first.data<float>().All(inputValues.Contains), "every output is one of the inputs (a maximum)");
    }
}
