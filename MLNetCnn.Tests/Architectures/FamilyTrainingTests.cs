using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Architectures;

/// <summary>The smallest member of every family trains a few steps through the ML.NET estimator and scores.</summary>
[TestClass]
public sealed class FamilyTrainingTests
{
    private const int Seed = 3;

    [TestMethod]
    [DataRow("lenet5-classic", 1, 28, "", 0.0)]
    [DataRow("alexnet", 3, 16, "", 0.0)]
    [DataRow("vgg11", 3, 16, "adaptive_pool", 0.0)]
    [DataRow("googlenet", 3, 16, "", 0.0)]
    [DataRow("resnet18", 3, 16, "", 0.0)]
    [DataRow("resnet20", 3, 16, "", 0.0)]
    [DataRow("mobilenet-v1", 3, 16, "alpha", 0.25)]
    public void TrainsAFewStepsThroughTheEstimatorAndScores(string architecture, int channels, int size, string option, double value)
    {
        const int Classes = 4, Images = 8;
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(Images, Classes, size, channels));
        var options = new CnnClassificationTrainer.Options { Architecture = architecture, Epochs = 1, BatchSize = 4, Seed = Seed };
        if (option.Length > 0)
            options.ArchitectureOptions[option] = value;

        var model = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(options)).Fit(data);
        var scores = model.Transform(data).GetColumn<float[]>("Score").ToList();

        var trained = model.LastTransformer;
        Assert.HasCount(1, trained.TrainingHistory);
        Assert.IsTrue(trained.TrainingHistory.All(e => double.IsFinite(e.TrainLoss)), string.Join("; ", trained.TrainingHistory));
        Assert.HasCount(Images, scores);
        Assert.IsTrue(scores.All(s => s.Length == Classes && s.All(float.IsFinite) && Math.Abs(s.Sum() - 1) < 1e-4), "each row is a probability distribution");
        Assert.HasCount(option.Length > 0 ? 1 : 0, trained.Model.Spec.Options);
        manual_seed(Seed);
        using var initial = ModelZoo.Create(architecture, trained.Model.Spec);
        var learned = trained.Model.Network.parameters().Zip(initial.parameters());
        Assert.IsTrue(learned.Any(pair => !pair.First.cpu().eq(pair.Second).all().item<bool>()), "the optimizer moved the weights");
    }
}
