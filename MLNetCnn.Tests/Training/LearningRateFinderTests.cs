using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class LearningRateFinderTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(128, seed: 1);

    [TestCategory("Fast")]

    [TestMethod]
    public void SweepsGeometricallyAndSuggestsAFiniteRateWithoutChangingTheModel()
    {
        using var model = CnnModel.Create("lenet5", new ModelSpec(Train.Shape, Train.ClassCount), InputNormalization.FromData(Train), CPU, seed: 1);
        var before = TrainedWeights.Of(model);
        var finder = new LearningRateFinder(new TrainingOptions { BatchSize = 16, Seed = 1 },
            new LearningRateFinderOptions { StartLearningRate = 1e-5, EndLearningRate = 10, Steps = 30 });

        var search = finder.Run(model, Train);

        Assert.IsGreaterThan(10, search.Points.Count);
        Assert.AreEqual(1e-5, search.Points[0].LearningRate, 1e-12);
        double ratio = Math.Pow(10 / 1e-5, 1.0 / 29);
        for (int i = 1; i < search.Points.Count; i++)
            Assert.AreEqual(ratio, search.Points[i].LearningRate / search.Points[i - 1].LearningRate, 1e-9);
        Assert.IsTrue(double.IsFinite(search.SuggestedLearningRate), $"suggested {search.SuggestedLearningRate}");
        Assert.IsTrue(search.SuggestedLearningRate is >= 1e-5 and <= 10, $"suggested {search.SuggestedLearningRate}");
        Assert.IsTrue(search.Points.Any(p => p.LearningRate == search.LowestLossLearningRate));
        Assert.IsLessThan(search.Points[0].SmoothedLoss, search.Points.Min(p => p.SmoothedLoss));
        TrainedWeights.AssertEqual(before, TrainedWeights.Of(model));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveTensors = Tensor.TotalCount;
        new LearningRateFinder(new TrainingOptions { BatchSize = 16 }, new LearningRateFinderOptions { Steps = 5 }).Run(model, Train);
        Assert.AreEqual(liveTensors, Tensor.TotalCount, "the range test releases every tensor it creates");
    }
}
