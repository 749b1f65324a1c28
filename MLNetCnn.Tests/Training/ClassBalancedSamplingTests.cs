using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class ClassBalancedSamplingTests
{
    [TestMethod]
    public void EachEpochDrawsTheClassesAboutEquallyOftenFromTheirOwnRows()
    {
        var train = ImbalancedTrainingTesting.Imbalanced(perClass: 40, ratio: 10);
        var recording = new RecordingEpochData(train);
        using var model = TinyNetwork.Create(train, seed: 1);

        new ClassifierTrainer(new TrainingOptions { Epochs = 3, BatchSize = 16, ClassBalancedSampling = true, Seed = 2 }).Train(model, recording);

        Assert.AreEqual(4, train.Labels.Count(l => l == 0));
        var minorityShare = new List<double>();
        for (int epoch = 1; epoch <= 3; epoch++)
        {
            var rows = recording.Rows[epoch];
            Assert.HasCount(train.Count, rows, "an epoch keeps its number of images");
            Assert.IsTrue(rows.All(r => r >= 0 && r < train.Count));
            minorityShare.Add(rows.Count(r => train.Labels[r] == 0) / (double)rows.Count);
        }
        // 124 images, 4 classes: a share of 1/4 each, against 4/124 without balancing.
        Assert.IsTrue(minorityShare.All(s => s is > 0.15 and < 0.35), string.Join(", ", minorityShare));
        CollectionAssert.AreNotEqual(recording.Rows[1], recording.Rows[2]);
    }

    [TestMethod]
    public void TheSameSeedDrawsTheSameRows()
    {
        var train = ImbalancedTrainingTesting.Imbalanced(perClass: 20, ratio: 5);
        long[] Draw()
        {
            var recording = new RecordingEpochData(train);
            using var model = TinyNetwork.Create(train, seed: 1);
            new ClassifierTrainer(new TrainingOptions { Epochs = 1, BatchSize = 16, ClassBalancedSampling = true, Seed = 3 }).Train(model, recording);
            return [.. recording.Rows[1]];
        }

        CollectionAssert.AreEqual(Draw(), Draw());
    }
}
