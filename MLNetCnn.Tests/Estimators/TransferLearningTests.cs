using Microsoft.ML;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Pretrained;
using MLNetCnn.Tests.Pretrained;
using MLNetCnn.Tests.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class TransferLearningTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void FineTuningAConvertedResNet18WithAFrozenBackboneThroughThePipelineChangesOnlyItsNewHead()
    {
        string weightsFile = TorchvisionReference.WeightsFile("resnet18");
        string folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 6);
        var mlContext = new MLContext(seed: 1);
        var images = mlContext.Data.LoadImageFolder(folder, imageWidth: 64, imageHeight: 64);
        var options = new CnnClassificationTrainer.Options
        {
            FeatureColumnName = CnnColumnNames.Image,
            PretrainedWeights = weightsFile,
            FrozenBackboneEpochs = 2,
            Epochs = 2,
            BatchSize = 6,
            LearningRate = 0.01,
            Seed = 7,
        };

        var model = mlContext.Transforms.Conversion.MapValueToKey(CnnColumnNames.Label)
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(options))
            .Fit(images);

        using var classifier = model.LastTransformer;
        using var start = CnnModel.FromPretrained(PretrainedWeights.Read(weightsFile), new ImageShape(3, 64, 64), classCount: 2, CPU, seed: 7);
        var before = BackboneTests.Snapshot(start);
        var after = BackboneTests.Snapshot(classifier.Model);
        var backbone = before.Keys.Where(name => !name.StartsWith("fc.", StringComparison.Ordinal)).ToList();
        Assert.AreEqual("resnet18", classifier.Model.Architecture);
        Assert.HasCount(before.Count, after.Keys.Intersect(before.Keys));
        CollectionAssert.AreEqual(Array.Empty<string>(), BackboneTests.Changed(before, after, backbone), "frozen tensors changed");
        CollectionAssert.AreEquivalent(new[] { "fc.weight", "fc.bias" }, BackboneTests.Changed(before, after, ["fc.weight", "fc.bias"]), "the new head learns");
        CollectionAssert.AreEqual(new long[] { 2, 512 }, after["fc.weight"].shape);
        CollectionAssert.AreEqual(start.Normalization.Mean, classifier.Model.Normalization.Mean, "ImageNet's mean on 0..255 pixels");
        Assert.AreEqual(0.485f * 255, classifier.Model.Normalization.Mean[0], 1e-3f);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnArchitectureOtherThanTheWeightsIsRefusedNamingBoth()
    {
        string folder = TestFolders.Create();
        using var source = ModelZoo.Create("lenet5", new ModelSpec(new ImageShape(3, 32, 32), 10));
        string weightsFile = WeightsFiles.Write(Path.Combine(folder, "lenet5.weights"), "lenet5", 10, WeightsFiles.StateOf(source));
        var mlContext = new MLContext(seed: 1);
        var images = mlContext.Data.LoadImageFolder(ImageFiles.ClassFolder(folder, classes: 2, perClass: 2), imageWidth: 32, imageHeight: 32);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey(CnnColumnNames.Label)
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
            {
                FeatureColumnName = CnnColumnNames.Image, Architecture = "resnet18", PretrainedWeights = weightsFile, Epochs = 1,
            }));

        var error = Assert.ThrowsExactly<ArgumentException>(() => pipeline.Fit(images));

        StringAssert.Contains(error.Message, "'resnet18'");
        StringAssert.Contains(error.Message, $"{weightsFile} holds weights for 'lenet5'");
    }
}
