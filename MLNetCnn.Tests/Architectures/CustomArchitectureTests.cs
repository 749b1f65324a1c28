using MLNetCnn.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Architectures;

/// <summary>A network an application registers works wherever a built-in name does.</summary>
[TestClass]
public sealed class CustomArchitectureTests
{
    private const string Name = "test-pooling-zoo";

    [ClassInitialize]
    public static void RegisterOnce(TestContext context)
    {
        if (!ModelZoo.Contains(Name))
            ModelZoo.Register(Name, spec => new PoolingZoo(spec));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ARegisteredModelTrainsSavesLoadsAndScoresIdentically()
    {
        var mlContext = new MLContext(seed: 4);
        var data = mlContext.Data.LoadFromImageDataset(SyntheticImages.Bars(64, size: 12));
        var model = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(architecture: Name, epochs: 3)).Fit(data);
        string path = Path.Combine(TestFolders.Create(), "custom.zip");

        mlContext.Model.Save(model, data.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);

        var scores = model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        CollectionAssert.AreEqual(scores, loaded.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s).ToArray());
        Assert.AreEqual(Name, ((TransformerChain<ITransformer>)loaded).OfType<CnnClassificationTransformer>().Single().Model.Architecture);
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.IsGreaterThan(0.5, metrics.MicroAccuracy, "it learned the bars");
    }

    /// <summary>A small network of the library's pooling layers: stochastic, then cross-map normalisation, then L2 pooling.</summary>
    private sealed class PoolingZoo : nn.Module<Tensor, Tensor>
    {
        private readonly Sequential features;
        private readonly Linear fc;

        public PoolingZoo(ModelSpec spec) : base(nameof(PoolingZoo))
        {
            features = nn.Sequential(
                nn.Conv2d(spec.Input.Channels, 8, 3, padding: 1), nn.ReLU(), new StochasticPool2d(2),
                LocalResponseNormalization.AlexNet(),
                nn.Conv2d(8, 16, 3, padding: 1), nn.ReLU(), nn.LPPool2d(2, 2));
            fc = nn.Linear(16L * (spec.Input.Height / 4) * (spec.Input.Width / 4), spec.ClassCount);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return fc.call(features.call(input).flatten(1)).MoveToOuterDisposeScope();
        }
    }
}
