using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Cli.Data;

namespace MLNetCnn.Tests.Cli.Data;

[TestClass]
public sealed class ObservedDataViewTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void TheObserverSeesEveryRowTheReaderReachesAndEachPassEndOnce()
    {
        var mlContext = new MLContext(seed: 1);
        var source = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 7).Select(i => new Row { Index = i, Square = i * i }));
        var squares = new List<List<float>>();
        int ends = 0;
        var observed = new ObservedDataView(source, [source.Schema["Square"]], cursor =>
        {
            var square = cursor.GetGetter<float>(cursor.Schema["Square"]);
            var seen = new List<float>();
            squares.Add(seen);
            return new Observer(() =>
            {
                float value = 0;
                square(ref value);
                seen.Add(value);
            }, () => ends++);
        });

        var indices = observed.GetColumn<float>("Index").ToArray();
        using (var cursor = observed.GetRowCursor([observed.Schema["Index"]]))
        {
            Assert.IsTrue(cursor.IsColumnActive(observed.Schema["Index"]));
            Assert.IsFalse(cursor.IsColumnActive(observed.Schema["Square"]), "the reader sees the columns it asked for");
            Assert.IsTrue(cursor.MoveNext() && cursor.MoveNext());
        }

        CollectionAssert.AreEqual(new float[] { 0, 1, 2, 3, 4, 5, 6 }, indices);
        Assert.HasCount(2, squares);
        CollectionAssert.AreEqual(new float[] { 0, 1, 4, 9, 16, 25, 36 }, squares[0], "the observed column, read beside the reader's");
        CollectionAssert.AreEqual(new float[] { 0, 1 }, squares[1], "a pass left early is seen as far as it went");
        Assert.AreEqual(1, ends, "only the first pass reached its end");
    }

    private sealed class Row
    {
        public float Index { get; set; }

        public float Square { get; set; }
    }

    private sealed class Observer(Action row, Action end) : IPassObserver
    {
        public void Row() => row();

        public void End() => end();
    }
}
