using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data.Records;

[TestClass]
public sealed class StratifiedHoldoutTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void KeepsClassProportionsRowByRowAndTheSameSeedHoldsOutTheSameRows()
    {
        var labels = SyntheticImages.Bars(100, classCount: 4).Labels;
        int[] HeldOut(int seed)
        {
            var holdout = new StratifiedHoldout([.. Enumerable.Range(0, 4).Select(c => (long)labels.Count(l => l == c))], 0.2, seed);
            return [.. Enumerable.Range(0, labels.Length).Where(i => holdout.HoldsOutNext(labels[i]))];
        }

        var heldOut = HeldOut(seed: 3);

        foreach (var group in heldOut.GroupBy(i => labels[i]))
            Assert.AreEqual((int)Math.Round(labels.Count(l => l == group.Key) * 0.2), group.Count(), $"class {group.Key}");
        CollectionAssert.AreEqual(heldOut, HeldOut(seed: 3), "the same seed gives the same split");
        CollectionAssert.AreNotEqual(heldOut, HeldOut(seed: 4), "another seed gives another split");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void EveryClassKeepsATrainingRow()
    {
        var holdout = new StratifiedHoldout([1, 2], 0.9, seed: 1);

        bool[] held = [holdout.HoldsOutNext(0), holdout.HoldsOutNext(1), holdout.HoldsOutNext(1)];

        Assert.IsFalse(held[0], "a class of one row keeps it");
        Assert.AreEqual(1, held.Skip(1).Count(h => h), "a class of two rows holds out one");
    }
}
