using static MLNetCnn.Tests.Architectures.ArchitectureTesting;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Architectures;

[TestClass]
public sealed class LeNetTests
{
    /// <summary>Table I of LeCun et al. (1998): row = S2 map, column = C3 map, 'X' = connected.</summary>
    private static readonly string[] TableI =
    [
        "X   XXX  XXXX XX",
        "XX   XXX  XXXX X",
        "XXX   XXX  X XXX",
        " XXX  XXXX  X XX",
        "  XXX  XXXX XX X",
        "   XXX  XXXX XXX",
    ];

    [TestCategory("Fast")]

    [TestMethod]
    public void ClassicLeNet5HasThePapersSixtyThousandTrainableParameters()
    {
        // C1 156 + S2 12 + C3 1,516 + S4 32 + C5 48,120 + F6 10,164; the RBF centres are fixed.
        using var network = ModelZoo.Create("lenet5-classic", Spec(1, 32, 10));

        Assert.AreEqual(60_000L, network.parameters().Where(p => p.requires_grad).Sum(p => p.numel()));
        var centres = network.buffers().Single();
        CollectionAssert.AreEqual(new long[] { 10, 84 }, centres.shape);
        Assert.IsTrue(centres.abs().eq(1).all().item<bool>(), "RBF centres are codes of -1 and +1");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void C3ReadsOnlyTheS2MapsOfTableI()
    {
        using var network = ModelZoo.Create("lenet5-classic", Spec(1, 32, 10));
        var c3 = Layer(network, "features.c3");
        using var noGrad = no_grad();
        var baseline = c3.call(zeros(1, 6, 14, 14));

        for (int s2Map = 0; s2Map < 6; s2Map++)
        {
            var input = zeros(1, 6, 14, 14);
            input[0, s2Map] = rand(14, 14) + 0.5;
            var changed = c3.call(input).sub(baseline).abs().amax([0, 2, 3]).gt(0);
            var expected = TableI[s2Map].Select(c => c == 'X').ToArray();
            CollectionAssert.AreEqual(expected, changed.data<bool>().ToArray(), $"C3 maps reading S2 map {s2Map}");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SquashingFunctionMapsOneToOne()
    {
        using var network = ModelZoo.Create("lenet5-classic", Spec(1, 32, 10));
        var squash = Layer(network, "features.squash1");

        var output = squash.call(tensor(new float[] { -1, 0, 1, 10 })).data<float>().ToArray();

        Assert.AreEqual(-1f, output[0], 1e-3f);
        Assert.AreEqual(0f, output[1]);
        Assert.AreEqual(1f, output[2], 1e-3f);
        Assert.AreEqual(1.7159f, output[3], 1e-3f, "the amplitude A");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SubsamplingIsTheWindowSumTimesACoefficientPlusABias()
    {
        using var network = ModelZoo.Create("lenet5-classic", Spec(1, 32, 10));
        var s2 = Layer(network, "features.s2");
        var weight = s2.named_parameters().Single(p => p.name == "coefficient.weight").parameter;
        var bias = s2.named_parameters().Single(p => p.name == "coefficient.bias").parameter;
        using (no_grad())
        {
            weight.fill_(0.5);
            bias.fill_(-1);
        }
        var input = arange(6 * 4 * 4, dtype: float32).reshape(1, 6, 4, 4);

        var output = s2.call(input);

        CollectionAssert.AreEqual(new long[] { 1, 6, 2, 2 }, output.shape);
        // Map 0's top-left window holds 0, 1, 4 and 5.
        Assert.AreEqual(0.5f * (0 + 1 + 4 + 5) - 1, output[0, 0, 0, 0].item<float>(), 1e-5f);
        Assert.HasCount(12, s2.parameters().SelectMany(p => p.data<float>().ToArray()));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void OutputsAreNegatedSquaredDistancesToTheClassCodes()
    {
        using var network = ModelZoo.Create("lenet5-classic", Spec(1, 32, 10));
        var rbf = Layer(network, "classifier.output");
        var centres = network.buffers().Single();

        var logits = rbf.call(centres[3].unsqueeze(0));

        var expected = centres[3].unsqueeze(0).sub(centres).square().sum(1).neg();
        Assert.AreEqual(0f, logits[0, 3].item<float>());
        Assert.AreEqual(3L, logits.argmax(1).item<long>());
        Assert.IsTrue(logits[0].allclose(expected), "logit j = -||x - c_j||²");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void MnistSizedDigitsArePaddedToThePapersGeometry()
    {
        var summary = ModelSummary.Create("lenet5-classic", Spec(1, 28, 10));

        CollectionAssert.AreEqual(new long[] { 6, 28, 28 }, ShapeOf(summary, "features.c1"));
        CollectionAssert.AreEqual(new long[] { 16, 10, 10 }, ShapeOf(summary, "features.squash3"));
        CollectionAssert.AreEqual(new long[] { 120, 1, 1 }, ShapeOf(summary, "features.c5"));
        // C1 6x28x28x25 + S2 6x14x14 + C3 (6x3 + 9x4 + 6)x100x25 + S4 16x5x5 + C5 48,000 + F6 10,080 + RBF 840.
        Assert.AreEqual(117_600L + 1_176 + 150_000 + 400 + 48_000 + 10_080 + 840, summary.MultiplyAdds);
        Assert.AreEqual(840L, summary.BufferValues);
    }
}
