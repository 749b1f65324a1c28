using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class WeightAverageTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void TheAverageFollowsItsWarmedUpDecayAndSwapsInAndBackOut()
    {
        using var layer = nn.Linear(2, 1);
        Fill(layer, 0);
        using var average = new WeightAverage(layer, decay: 0.5);

        Fill(layer, 1);
        average.Update();
        Fill(layer, 2);
        average.Update();

        // Warm-up: decays min(0.5, 2/11) and min(0.5, 3/12), then 0.5 from the fifth update on.
        double first = (1 - 2.0 / 11) * 1;
        double expected = 0.25 * first + 0.75 * 2;
        using (average.SwapIn())
            Assert.AreEqual(expected, layer.weight!.data<float>()[0], 1e-6);
        Assert.AreEqual(2f, layer.weight!.data<float>()[0], "the trained weights are back");
        average.CopyIntoNetwork();
        Assert.AreEqual(expected, layer.bias!.data<float>()[0], 1e-6);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TrainingWithAnAverageValidatesAndReturnsTheAveragedWeights()
    {
        var train = SyntheticImages.Bars(64, seed: 1);
        var validation = SyntheticImages.Bars(32, seed: 2);
        using var averaged = TinyNetwork.Create(train, seed: 1);
        using var plain = TinyNetwork.Create(train, seed: 1);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 8, Seed = 2, LearningRate = 0.01 };
        var averagedTrainer = new ClassifierTrainer(options with { EmaDecay = 0.9 });

        var history = averagedTrainer.Train(averaged, train, validation);
        new ClassifierTrainer(options).Train(plain, train, validation);

        Assert.AreEqual(history[^1].ValidationLoss!.Value, averagedTrainer.Evaluate(averaged, validation).Loss, 1e-5,
            "the last epoch validated the weights the model holds");
        var difference = TrainedWeights.Of(averaged).Zip(TrainedWeights.Of(plain)).Max(p => p.First.Value.Zip(p.Second.Value).Max(v => Math.Abs(v.First - v.Second)));
        Assert.IsGreaterThan(1e-3, difference, "averaged weights differ from the last step's");
    }

    private static void Fill(nn.Module module, float value)
    {
        using var noGrad = no_grad();
        foreach (var parameter in module.parameters())
            parameter.fill_(value);
    }
}
