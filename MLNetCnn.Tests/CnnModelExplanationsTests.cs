using MLNetCnn.Data;
using MLNetCnn.Explanations;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests;

[TestClass]
public sealed class CnnModelExplanationsTests
{
    // LeNet-5's own 32x32, so its feature maps cover the image alone (smaller images are padded to 32x32 in C1).
    private const int Side = 32;
    private const int Quadrant = Side / 2;

    // A LeNet-5 trained on shapes that always sit in the top-left quadrant (noise everywhere else), once for the class.
    private static readonly Lazy<(CnnModel Model, ImageDataset Test)> CornerModel = new(() =>
    {
        var train = SyntheticImages.ShapesInTopLeftQuadrant(256, Side, seed: 1);
        var model = CnnModel.Create("lenet5", new ModelSpec(train.Shape, 4), InputNormalization.FromData(train), CPU, seed: 1);
        new ClassifierTrainer(new TrainingOptions { Epochs = 10, BatchSize = 16, LearningRate = 3e-3, WeightDecay = 5e-3, Seed = 1 }).Train(model, train);
        return (model, SyntheticImages.ShapesInTopLeftQuadrant(40, Side, seed: 2));
    });

    [ClassCleanup]
    public static void DisposeModel()
    {
        if (CornerModel.IsValueCreated)
            CornerModel.Value.Model.Dispose();
    }

    [TestMethod]
    [DataRow(ExplanationMethod.GradCam)]
    [DataRow(ExplanationMethod.Saliency)]
    public void TheHeatLiesInTheOnlyRegionThatDecidesTheClass(ExplanationMethod method)
    {
        var (model, test) = CornerModel.Value;
        var shares = new List<double[]>();
        for (int i = 0; i < test.Count; i++)
        {
            var map = model.Explain(test.Image(i), method);
            if (map.ClassIndex == test.Label(i))
            {
                shares.Add([map.ShareIn(0, 0, Quadrant, Quadrant), map.ShareIn(0, Quadrant, Quadrant, Quadrant), map.ShareIn(Quadrant, 0, Quadrant, Quadrant),
                    map.ShareIn(Quadrant, Quadrant, Quadrant, Quadrant)]);
            }
        }

        Assert.IsGreaterThanOrEqualTo(0.9 * test.Count, shares.Count, "the model learned the shapes");
        var mean = Enumerable.Range(0, 4).Select(q => shares.Average(s => s[q])).ToArray();
        string quadrants = string.Join(", ", mean.Select(m => m.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
        // A map that ignored where the evidence is would put about a quarter of its heat in each quadrant. Measured: about half of it
        // in the top-left one and under a fifth in any other (Grad-CAM's 5x5 maps, upsampled, spill over the quadrant's edges).
        Assert.IsGreaterThan(0.45, mean[0], $"mean share of the heat in the top-left, top-right, bottom-left, bottom-right quadrants: {quadrants}");
        Assert.IsGreaterThan(2.5 * mean.Skip(1).Max(), mean[0], quadrants);
    }

    [TestMethod]
    public void ExplainingTouchesNoParameterGradientAndLeavesScoringAlone()
    {
        var (model, test) = CornerModel.Value;
        using var scope = NewDisposeScope();
        var before = model.Logits(tensor(test.Pixels, [test.Count, 1, Side, Side])).detach().clone();
        // Training left its last step's gradients in the parameters: explaining must not change them.
        var gradients = model.Network.parameters().Select(p => p.grad?.clone()).ToList();

        var map = model.Explain(test.Image(0), classIndex: 3);

        Assert.AreEqual(3, map.ClassIndex);
        Assert.AreEqual("features", map.Layer, "LeNet-5's last convolutional feature maps");
        var after = model.Network.parameters().Select(p => p.grad).ToList();
        Assert.IsTrue(gradients.Zip(after).All(g => g.First is null ? g.Second is null : g.First.allclose(g.Second!, 0, 0)), "the parameters' gradients unchanged");
        Assert.IsTrue(model.Logits(tensor(test.Pixels, [test.Count, 1, Side, Side])).allclose(before), "no hook left behind");
        Assert.IsTrue(map.Values.Max() is 0 or 1, "scaled to its peak, or all 0 where nothing speaks for the class");
        Assert.IsTrue(map.Values.All(v => v >= 0 && v <= 1));
        Assert.AreEqual(1f, map.Probabilities.Sum(), 1e-4f);
    }

    [TestMethod]
    [DataRow("lenet5", 32, 1, "features")]
    [DataRow("lenet5-classic", 32, 1, "features.s4")]
    [DataRow("resnet20", 32, 3, "layer3")]
    [DataRow("resnet18", 64, 3, "layer4")]
    [DataRow("mobilenet-v1-0.25", 64, 3, "blocks")]
    [DataRow("vgg11", 64, 3, "features")]
    [DataRow("googlenet", 64, 3, "inception5b")]
    [DataRow("alexnet", 67, 3, "features.12")]
    public void EveryFamilyIsExplainedOverItsLastConvolutionalFeatureMaps(string architecture, int side, int channels, string layer)
    {
        var shape = new ImageShape(channels, side, side);
        using var model = CnnModel.Create(architecture, new ModelSpec(shape, 5), new InputNormalization(new float[channels], [.. Enumerable.Repeat(255f, channels)]),
            CPU, seed: 1);
        var image = SyntheticImages.Indexed(shape).Select(v => v % 256).ToArray();

        Assert.AreEqual(layer, model.DefaultExplanationLayer, string.Join(", ", model.FeatureMapLayers));
        foreach (var method in new[] { ExplanationMethod.GradCam, ExplanationMethod.Saliency })
        {
            var map = model.Explain(image, method);
            Assert.AreEqual(side * side, map.Values.Length);
            Assert.IsTrue(map.Values.All(v => v >= 0 && v <= 1), $"{method} values from 0 to 1");
            Assert.IsTrue(map.Values.Max() is 0 or 1, $"{method} scaled to its peak");
        }
        Assert.IsTrue(model.Network.parameters().All(p => p.grad is null || p.grad.count_nonzero().item<long>() == 0), "no gradient in the parameters");
    }

    [TestMethod]
    public void LayerOutputIsTheNamedLayersFeatureMaps()
    {
        var (model, test) = CornerModel.Value;

        var c1 = model.LayerOutput(test.Image(0), "features.c1");
        var s4 = model.LayerOutput(test.Image(0), "features");

        CollectionAssert.AreEqual(new long[] { 6, 28, 28 }, c1.Shape.ToArray(), "C1: 5x5 kernels over 32x32");
        Assert.AreEqual(6 * 28 * 28, c1.Values.Length);
        Assert.IsTrue(c1.IsFeatureMaps);
        CollectionAssert.AreEqual(new long[] { 16, 5, 5 }, s4.Shape.ToArray());
        CollectionAssert.Contains(model.FeatureMapLayers.ToList(), "features.c1");
        Assert.IsFalse(model.LayerOutput(test.Image(0), "classifier.output").IsFeatureMaps);
    }

    [TestMethod]
    public void AnUnknownLayerIsAnErrorListingTheLayersThereAre()
    {
        var (model, test) = CornerModel.Value;

        var unknown = Assert.ThrowsExactly<ArgumentException>(() => model.Explain(test.Image(0), layer: "conv9"));
        var notMaps = Assert.ThrowsExactly<ArgumentException>(() => model.Explain(test.Image(0), layer: "classifier.output"));
        var output = Assert.ThrowsExactly<ArgumentException>(() => model.LayerOutput(test.Image(0), "conv9"));
        var saliency = Assert.ThrowsExactly<ArgumentException>(() => model.Explain(test.Image(0), ExplanationMethod.Saliency, layer: "features"));
        var size = Assert.ThrowsExactly<ArgumentException>(() => model.Explain(new float[10]));

        StringAssert.Contains(unknown.Message, "'conv9' is not a layer with feature maps");
        StringAssert.Contains(unknown.Message, "features.c1, features.relu1");
        StringAssert.Contains(notMaps.Message, "'classifier.output' is not a layer with feature maps");
        StringAssert.Contains(output.Message, "'conv9' is not a layer of the lenet5 network");
        StringAssert.Contains(saliency.Message, "takes no layer");
        StringAssert.Contains(size.Message, "1x32x32 has 1024 values; got 10");
    }
}
