using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators.Experiments;

[TestClass]
public sealed class CnnSearchSpaceTests
{
    private static readonly CnnSearchSpace Space = new()
    {
        Architectures = ["lenet5", "resnet20", "mobilenet-v1-0.25"],
        LearningRates = [1e-3, 1e-2],
        Augmentation = [false, true],
    };

    [TestCategory("Fast")]

    [TestMethod]
    public void TheGridHoldsEveryCombinationOnceWithTheArchitectureVaryingFastest()
    {
        var grid = Space.Grid();

        Assert.HasCount(12, grid);
        Assert.HasCount(12, grid.Select(c => (c.Architecture, c.LearningRate, c.Augment)).Distinct().ToList());
        CollectionAssert.AreEqual(new[] { "lenet5", "resnet20", "mobilenet-v1-0.25" }, grid.Take(3).Select(c => c.Architecture).ToArray());
        Assert.IsTrue(grid.Take(3).All(c => c.LearningRate == 1e-3 && !c.Augment && c.BatchSize is null && c.Epochs is null));
        Assert.AreEqual(("resnet20", 1e-3, true), (grid[4].Architecture, grid[4].LearningRate, grid[4].Augment));
        Assert.AreEqual(("lenet5", 1e-2, false), (grid[6].Architecture, grid[6].LearningRate, grid[6].Augment));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RandomSearchDrawsEveryCombinationOnceInAnOrderItsSeedRepeats()
    {
        var grid = Space.Grid().Select(c => c.ToString()).ToArray();
        var first = Space.RandomOrder(7).Select(c => c.ToString()).ToArray();

        CollectionAssert.AreEquivalent(grid, first);
        CollectionAssert.AreEqual(first, Space.RandomOrder(7).Select(c => c.ToString()).ToArray());
        CollectionAssert.AreNotEqual(first, Space.RandomOrder(8).Select(c => c.ToString()).ToArray());
        CollectionAssert.AreNotEqual(grid, first);
    }
}
