using MLNetCnn.Data;

namespace MLNetCnn.Tests.Data.Records;

[TestClass]
public sealed class ShuffledOrderTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow(1L)]
    [DataRow(2L)]
    [DataRow(5L)]
    [DataRow(1000L)]
    [DataRow(1025L)]
    [DataRow(65_536L)]
    public void EveryRowComesExactlyOnce(long count)
    {
        var order = new ShuffledOrder(count, seed: 7, stream: 3);
        var seen = new bool[count];

        for (long i = 0; i < count; i++)
        {
            long row = order[i];
            Assert.IsFalse(seen[row], $"row {row} came twice");
            seen[row] = true;
        }

        Assert.IsTrue(seen.All(s => s));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheSameSeedAndStreamGiveTheSameOrderAndAnyOtherADifferentOne()
    {
        static long[] Order(long seed, long stream) => [.. Enumerable.Range(0, 500).Select(i => new ShuffledOrder(500, seed, stream)[i])];

        CollectionAssert.AreEqual(Order(1, 1), Order(1, 1));
        var others = new[] { Order(1, 2), Order(2, 1), Order(1, 3) };
        foreach (var other in others)
        {
            int samePlace = Order(1, 1).Zip(other).Count(p => p.First == p.Second);
            Assert.IsLessThan(25, samePlace, "another key gives another order (a random one agrees in about one place)");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheOrderIsShuffledWellEnoughForSortedClasses()
    {
        const int Count = 10_000;
        var order = new ShuffledOrder(Count, seed: 5, stream: 1);
        // Rows sorted by class (ten classes of 1,000): each batch of 100 should hold most classes, close to 10 of each.
        for (int batch = 0; batch < Count / 100; batch++)
        {
            var classes = Enumerable.Range(batch * 100, 100).Select(i => order[i] / 1000).GroupBy(c => c).ToList();
            Assert.HasCount(10, classes, $"batch {batch} holds every class");
            Assert.IsLessThan(30, classes.Max(g => g.Count()), $"batch {batch} holds no class much more often than 10 times in 100");
        }
        double meanDisplacement = Enumerable.Range(0, Count).Average(i => Math.Abs(order[i] - i));
        Assert.IsGreaterThan(Count / 4.0, meanDisplacement, "rows move about a third of the set on average");
    }
}
