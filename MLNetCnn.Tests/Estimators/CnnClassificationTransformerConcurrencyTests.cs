using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using BarsEngine = Microsoft.ML.PredictionEngine<MLNetCnn.Tests.Estimators.BarsModel.Input, MLNetCnn.Tests.Estimators.BarsModel.Output>;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class CnnClassificationTransformerConcurrencyTests
{
    private const int Threads = 8;

    [TestMethod]
    public void EightThreadsWithAPredictionEngineEachMakeTenThousandPredictionsEqualToSingleThreadedOnes()
    {
        var expected = SingleThreaded();
        const int perThread = 10_000 / Threads;
        int mismatches = 0, predictions = 0;

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            using var engine = BarsModel.Engine(BarsModel.Context, BarsModel.Model);
            for (int k = 0; k < perThread; k++)
            {
                int image = (thread * perThread + k) % expected.Length;
                if (!engine.Predict(BarsModel.InputOf(image)).Score.SequenceEqual(expected[image]))
                    Interlocked.Increment(ref mismatches);
                Interlocked.Increment(ref predictions);
            }
        });

        Assert.AreEqual(10_000, predictions);
        Assert.AreEqual(0, mismatches, "every prediction equals the single-threaded one exactly");
    }

    [TestMethod]
    public void PooledPredictionEnginesSharedByEightThreadsGiveTheSingleThreadedScores()
    {
        var expected = SingleThreaded();
        var pool = new DefaultObjectPool<BarsEngine>(new EnginePolicy(), maximumRetained: 3);
        int mismatches = 0;

        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = Threads }, request =>
        {
            var engine = pool.Get();
            try
            {
                int image = request % expected.Length;
                if (!engine.Predict(BarsModel.InputOf(image)).Score.SequenceEqual(expected[image]))
                    Interlocked.Increment(ref mismatches);
            }
            finally
            {
                pool.Return(engine);
            }
        });

        Assert.AreEqual(0, mismatches);
    }

    [TestMethod]
    public void TransformReadFromSeveralThreadsAtOnceGivesTheSameScores()
    {
        var expected = BarsModel.Scores(BarsModel.Model, BarsModel.Data);

        var results = new float[4][][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length },
            i => results[i] = BarsModel.Scores(BarsModel.Model, BarsModel.Data));

        foreach (var scores in results)
        {
            Assert.HasCount(expected.Length, scores);
            for (int row = 0; row < expected.Length; row++)
                CollectionAssert.AreEqual(expected[row], scores[row], $"row {row}");
        }
    }

    private static float[][] SingleThreaded()
    {
        using var engine = BarsModel.Engine(BarsModel.Context, BarsModel.Model);
        return [.. Enumerable.Range(0, BarsModel.Images.Count).Select(i => engine.Predict(BarsModel.InputOf(i)).Score)];
    }

    // As ASP.NET's PredictionEnginePool does: engines are made on demand and reused, never disposed with the model.
    private sealed class EnginePolicy : PooledObjectPolicy<BarsEngine>
    {
        public override BarsEngine Create() => BarsModel.Engine(BarsModel.Context, BarsModel.Model);

        public override bool Return(BarsEngine engine) => true;
    }
}
