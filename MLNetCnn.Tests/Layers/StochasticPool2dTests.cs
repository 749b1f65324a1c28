using MLNetCnn.Layers;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Layers;

[TestClass]
public sealed class StochasticPool2dTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void EvaluationGivesTheProbabilityWeightedAverage()
    {
        using var pool = new StochasticPool2d(2);
        pool.eval();
        var input = tensor(new float[] { 1, 2, 0, 0, 3, 4, 0, 0 }, [1, 1, 2, 4]);

        var output = pool.call(input).data<float>().ToArray();

        CollectionAssert.AreEqual(new[] { (1f + 4 + 9 + 16) / (1 + 2 + 3 + 4), 0f }, output);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TrainingPicksEachLocationWithProbabilityProportionalToItsActivation()
    {
        const int Windows = 4000;
        using var pool = new StochasticPool2d(2);
        pool.train();
        manual_seed(5);
        var window = tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2]);

        var picks = pool.call(window.repeat(1, 1, 1, Windows)).data<float>().ToArray();

        Assert.HasCount(Windows, picks);
        foreach (float value in new float[] { 1, 2, 3, 4 })
            Assert.AreEqual(value / 10, picks.Count(p => p == value) / (double)Windows, 0.03, $"frequency of {value}");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TrainingSendsTheGradientToThePickedLocationOnly()
    {
        using var pool = new StochasticPool2d(2);
        pool.train();
        var input = (rand(1, 3, 6, 6) + 0.1).requires_grad_();

        var output = pool.call(input);
        output.sum().backward();

        var gradient = input.grad!;
        var windows = nn.functional.unfold(gradient, 2, stride: 2).view(1, 3, 4, -1);
        Assert.IsTrue(windows.sum(2).eq(1).all().item<bool>(), "one location per window gets the gradient");
        var picked = nn.functional.unfold(input.detach() * gradient, 2, stride: 2).view(1, 3, 4, -1).sum(2);
        Assert.IsTrue(picked.allclose(output.detach().flatten(2)), "the output is the activation at that location");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void OverlappingWindowsGiveTheStridedShape()
    {
        using var pool = new StochasticPool2d(3, stride: 2);

        CollectionAssert.AreEqual(new long[] { 2, 4, 3, 3 }, pool.call(rand(2, 4, 7, 7)).shape);
        Assert.ThrowsExactly<ArgumentException>(() => pool.call(rand(4, 7, 7)));
        Assert.ThrowsExactly<ArgumentException>(() => pool.call(rand(1, 1, 2, 2)));
    }
}
