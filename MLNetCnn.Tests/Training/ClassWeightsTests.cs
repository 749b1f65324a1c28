using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class ClassWeightsTests
{
    private static readonly ImageDataset Train = SyntheticImages.Bars(64, seed: 1);

    [TestMethod]
    public void BalancedWeightsMakeEveryPresentClassContributeAlike()
    {
        var weights = ClassWeights.Balanced.Resolve([90, 10, 0])!;

        Assert.AreEqual(100 / (2.0 * 90), weights[0], 1e-12);
        Assert.AreEqual(100 / (2.0 * 10), weights[1], 1e-12);
        Assert.AreEqual(0, weights[2]);
        Assert.AreEqual(90 * weights[0], 10 * weights[1], 1e-9);
        Assert.IsNull(ClassWeights.None.Resolve([90, 10]));
        CollectionAssert.AreEqual(new[] { 1.0, 3.0 }, ClassWeights.Of(1, 3).Resolve([90, 10]));
    }

    [TestMethod]
    public void ParsingReadsWhatToStringWritesAndNamesWhatItCannotRead()
    {
        Assert.AreSame(ClassWeights.None, ClassWeights.Parse("None"));
        Assert.AreSame(ClassWeights.Balanced, ClassWeights.Parse(" balanced "));
        var given = ClassWeights.Parse("1, 0.5,10");
        CollectionAssert.AreEqual(new[] { 1.0, 0.5, 10.0 }, given.Given!.ToArray());
        Assert.AreEqual(given, ClassWeights.Parse(given.ToString()));

        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => ClassWeights.Parse("1,x,2")).Message, "'x'");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => ClassWeights.Parse("1,-2")).Message, "class 1 is -2");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ClassWeights.Of(0, 0)).Message, "At least one");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ClassWeights.Of(1, 2).Resolve([5, 5, 5])).Message,
            "2 class weights were given for 3 classes");
    }

    [TestMethod]
    public void AStepsLossIsTheMeanOfTheImagesCrossEntropiesWeighedByTheirClassTimesTheirExampleWeight()
    {
        using var model = CnnModel.Create("lenet5", new ModelSpec(Train.Shape, Train.ClassCount), InputNormalization.FromData(Train), CPU, seed: 1);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 8, Seed = 1 };
        new ClassifierTrainer(options).Train(model, Train);
        using var optimizer = OptimizerFactory.Create(options, model.Network.parameters());
        using var step = new TrainingStep(model, optimizer, options, mixedPrecision: null, nonBlockingCopies: false, classWeights: [1, 2, 0, 0.5]);
        using var scope = NewDisposeScope();
        var (images, labels) = Train.ReadBatch(epoch: 1, [0, 1, 2, 3, 4, 5, 6, 7]);
        var example = tensor(new float[] { 1, 1, 1, 1, 3, 0, 1, 2 });
        var each = nn.functional.cross_entropy(model.Logits(images), labels, reduction: nn.Reduction.None).data<float>().ToArray();
        double[] classWeight = [1, 2, 0, 0.5];
        var weight = Enumerable.Range(0, 8).Select(i => classWeight[Train.Labels[i]] * example[i].item<float>()).ToArray();
        double expected = Enumerable.Range(0, 8).Sum(i => weight[i] * each[i]) / weight.Sum();
        Assert.IsGreaterThan(0.1, each.Max() - each.Min(), "images whose losses differ, so that weighing them matters");
        model.Network.train();

        double loss = step.Run(images, labels, example, epoch: 1, step: 1).Loss;

        Assert.AreEqual(expected, loss, 1e-4);
        Assert.AreNotEqual(each.Average(), loss, 1e-3);
    }

    [TestMethod]
    public void AClassOfWeightZeroIsNeverLearntWhileTheOthersAre()
    {
        using var model = CnnModel.Create("lenet5", new ModelSpec(Train.Shape, Train.ClassCount), InputNormalization.FromData(Train), CPU, seed: 1);

        new ClassifierTrainer(new TrainingOptions { Epochs = 6, BatchSize = 16, ClassWeights = ClassWeights.Of(0, 1, 1, 1), Seed = 1 }).Train(model, Train);

        var predicted = ImbalancedTrainingTesting.Predictions(model, Train);
        Assert.AreEqual(0, predicted.Count(p => p == 0), "no image is predicted as the class of weight 0");
        int othersRight = Enumerable.Range(0, Train.Count).Count(i => Train.Labels[i] != 0 && predicted[i] == Train.Labels[i]);
        Assert.IsGreaterThan(0.6 * 48, othersRight, "the other classes are learnt");
    }
}
