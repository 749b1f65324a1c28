using MLNetCnn.Estimators;
using MLNetCnn.Studies;

namespace MLNetCnn.Tests.Studies;

[TestClass]
public sealed class SuccessiveHalvingTests
{
    // A made-up epoch metric per trial, constant over epochs; trials reach each rung best, worst, second best, second worst...
    private static readonly double[] Metrics = [0.8, 0.1, 0.7, 0.2, 0.6, 0.3, 0.5, 0.4];

    [TestCategory("Fast")]

    [TestMethod]
    public void RungsSitAtTheFirstEpochTimesPowersOfTheFactor()
    {
        var halving = new CnnSuccessiveHalving { MinEpochs = 2, ReductionFactor = 3 };
        CollectionAssert.AreEqual(new[] { 2, 6, 18 }, Enumerable.Range(1, 20).Where(halving.IsRung).ToArray());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void StopsTheWeakHalfAtEachRungInMemory() =>
        AssertWeakHalfStopsAtEachRung((trial, epoch, metric) => _rungs.Record(trial, epoch, metric));

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgresql")]
    public void StopsTheWeakHalfAtEachRungWithTheEpochReportsInTheStore(string kind)
    {
        var study = CnnStudy.CreateOrLoad(CnnStudyStorage.Open(CnnStudyTests.NewStorageUrl(kind)), "halving");
        study.Enqueue("{}", [.. Metrics.Select((_, i) => new CnnCandidate("lenet5") { LearningRate = (i + 1) / 100.0 })]);
        var claims = Metrics.Select(_ => study.TryClaim(CnnStudy.NewWorkerName(), TimeSpan.FromMinutes(5))!).ToArray();

        AssertWeakHalfStopsAtEachRung((trial, epoch, metric) => study.ReportEpoch(claims[trial - 1], epoch, metric));
    }

    private readonly InMemoryRungs _rungs = new();

    /// <summary>Reports the made-up metrics rung by rung (epochs 1, 2 and 4), only for the trials still going, and checks who
    /// stops.</summary>
    private static void AssertWeakHalfStopsAtEachRung(Func<int, int, double, IReadOnlyCollection<double>> record)
    {
        var halving = new CnnSuccessiveHalving { MinEpochs = 1, ReductionFactor = 2 };
        var going = Enumerable.Range(1, Metrics.Length).ToList();
        var stoppedAt = new Dictionary<int, int[]>();
        foreach (int rung in new[] { 1, 2, 4 })
        {
            var stopped = going.Where(trial => halving.ShouldStop(Metrics[trial - 1], record(trial, rung, Metrics[trial - 1]))).ToArray();
            stoppedAt[rung] = stopped;
            going = [.. going.Except(stopped)];
            // Arrivals at the next rung keep the order best, worst, second best...
            going = [.. Interleave(going.OrderByDescending(t => Metrics[t - 1]).ToList())];
        }

        CollectionAssert.AreEquivalent(new[] { 2, 4, 6, 8 }, stoppedAt[1], "metrics 0.1 to 0.4, the weak half of eight");
        CollectionAssert.AreEquivalent(new[] { 5, 7 }, stoppedAt[2], "metrics 0.6 and 0.5, the weak half of the four left");
        CollectionAssert.AreEquivalent(new[] { 3 }, stoppedAt[4], "metric 0.7, the weaker of the two left");
        CollectionAssert.AreEqual(new[] { 1 }, going.ToArray(), "the best trial trains to the end");
    }

    private static IEnumerable<int> Interleave(List<int> bestFirst)
    {
        for (int i = 0, j = bestFirst.Count - 1; i <= j; i++, j--)
        {
            yield return bestFirst[i];
            if (i != j)
                yield return bestFirst[j];
        }
    }
}
