using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLNetCnn.Architectures;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Layers;
using MLNetCnn.Onnx;
using MLNetCnn.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Onnx;

[TestClass]
public sealed class OnnxExportTests
{
    private const int Batch = 2;
    private const int Classes = 7;
    private const double Tolerance = 1e-4;

    public static IEnumerable<object[]> RegisteredNames => ModelZoo.Names.Select(name => new object[] { name });

    [TestMethod]
    [DynamicData(nameof(RegisteredNames))]
    public void EveryRegisteredArchitectureGivesTheSameProbabilitiesInOnnxRuntime(string name) =>
        AssertOnnxRuntimeAgrees(name, new ModelSpec(SmallestInput(name), Classes) { Options = SmallestOptions(name) });

    [TestMethod]
    [DataRow("resnet18", 64, DisplayName = "resnet18: 7x7/2 stem and padded max-pool")]
    [DataRow("googlenet", 64, DisplayName = "googlenet: strided stem with its ceil-mode max-pool")]
    [DataRow("alexnet", 67, DisplayName = "alexnet: 11x11/4 conv1")]
    [DataRow("zfnet", 47, DisplayName = "zfnet: 7x7/2 and 5x5/2 convolutions, ceil-mode max-pools")]
    [DataRow("mobilenet-v1-0.25", 64, DisplayName = "mobilenet-v1-0.25: strided conv1")]
    public void PaperSizeLayersGiveTheSameProbabilitiesInOnnxRuntime(string name, int side) =>
        AssertOnnxRuntimeAgrees(name, new ModelSpec(new ImageShape(3, side, side), Classes));

    [TestMethod]
    [DataRow(127, 127, DisplayName = "a 3x3 map pooled up to 6x6")]
    [DataRow(95, 127, DisplayName = "a 2x3 map pooled up to 6x6")]
    [DataRow(224, 224, DisplayName = "a 6x6 map, which the pool keeps")]
    public void TorchvisionsAdaptivePoolExportsExactlyAtAnySize(int height, int width) =>
        AssertOnnxRuntimeAgrees("alexnet-torchvision", new ModelSpec(new ImageShape(3, height, width), Classes));

    [TestMethod]
    public void TheResolutionMultiplierExportsAsABilinearResize() =>
        AssertOnnxRuntimeAgrees("mobilenet-v1-0.25", new ModelSpec(new ImageShape(3, 30, 30), Classes)
        {
            Options = new Dictionary<string, double> { [MobileNet.ResolutionMultiplierOption] = 0.7 },
        });

    [TestMethod]
    [DataRow(TestTimeAugmentation.HorizontalFlip, 20, 20)]
    [DataRow(TestTimeAugmentation.TenCrop, 25, 27)]
    [DataRow(TestTimeAugmentation.TenCrop, 20, 23)]
    public void TestTimeAugmentationAveragesTheViewsTheAugmenterAverages(TestTimeAugmentation mode, int height, int width)
    {
        var input = new ImageShape(1, 20, 20);
        using var model = CnnModel.Create("lenet5", new ModelSpec(input, Classes), new InputNormalization([100f], [60f]), CPU, seed: 13);
        Randomise(model, RandomPixels(Batch, input, seed: 14));
        var images = new ImageShape(1, height, width);
        var pixels = RandomPixels(Batch, images, seed: 15);
        var expected = new float[Batch * Classes];
        new TestTimeAugmenter(mode, images, input).PredictProbabilities(model, pixels, Batch, expected);

        using var session = new InferenceSession(Export(model, new OnnxExportOptions { TestTimeAugmentation = mode }));

        int free = mode == TestTimeAugmentation.TenCrop ? -1 : 20;
        CollectionAssert.AreEqual(new[] { -1, 1, free, free }, session.InputMetadata["image"].Dimensions);
        Assert.AreEqual(mode.ToString(), session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.TestTimeAugmentation]);
        AssertClose(expected, OnnxRuntimeScoring.Run(session, pixels, [Batch, 1, height, width]), $"{mode} of {images} images");
    }

    [TestMethod]
    public void ARegisteredSequentialNetworkOfLibraryLayersExports()
    {
        // Stochastic pooling exports as its evaluation-mode average, 6x6 maps pooled adaptively to 4x4 take PyTorch's overlapping
        // windows, and doubling them is a nearest-neighbour Resize.
        const string Name = "onnx-test-sequential";
        if (!ModelZoo.Contains(Name))
        {
            ModelZoo.Register(Name, spec => nn.Sequential(
                ("conv", nn.Conv2d(spec.Input.Channels, 6, 3, padding: 1)), ("bn", nn.BatchNorm2d(6)), ("relu", nn.ReLU()),
                ("pool", new StochasticPool2d(2)), ("lrn", LocalResponseNormalization.AlexNet()), ("adaptive", nn.AdaptiveAvgPool2d((4, 4))),
                ("upsample", nn.Upsample(scale_factor: [2, 2])), ("dropout2d", nn.Dropout2d()), ("sigmoid", nn.Sigmoid()),
                ("flatten", nn.Flatten()), ("dropout", nn.Dropout(0.5)), ("fc", nn.Linear(6 * 8 * 8, spec.ClassCount)),
                ("bn1d", nn.BatchNorm1d(spec.ClassCount)), ("tanh", nn.Tanh())));
        }
        AssertOnnxRuntimeAgrees(Name, new ModelSpec(new ImageShape(3, 12, 12), Classes));
    }

    [TestMethod]
    public void TheGraphNamesItsInputAndOutputFreesTheBatchAndRecordsTheModelInItsMetadata()
    {
        var spec = new ModelSpec(new ImageShape(1, 28, 28), 3);
        using var model = CnnModel.Create("lenet5", spec, new InputNormalization([72.5f], [90.25f]), CPU, seed: 3);
        using var session = new InferenceSession(Export(model, new OnnxExportOptions
        {
            InputName = "pixels", OutputName = "scores", ClassNames = ["cat", "dog", "t-shirt/top"],
        }));

        Assert.AreEqual("pixels", session.InputNames.Single());
        Assert.AreEqual("scores", session.OutputNames.Single());
        CollectionAssert.AreEqual(new[] { -1, 1, 28, 28 }, session.InputMetadata["pixels"].Dimensions);
        CollectionAssert.AreEqual(new[] { -1, 3 }, session.OutputMetadata["scores"].Dimensions);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.AreEqual("lenet5", metadata[OnnxMetadataKeys.Architecture]);
        Assert.AreEqual("None", metadata[OnnxMetadataKeys.TestTimeAugmentation]);
        CollectionAssert.AreEqual(new[] { "cat", "dog", "t-shirt/top" }, JsonSerializer.Deserialize<string[]>(metadata[OnnxMetadataKeys.ClassNames]));
        CollectionAssert.AreEqual(new[] { 1, 28, 28 }, JsonSerializer.Deserialize<int[]>(metadata[OnnxMetadataKeys.InputShape]));
        CollectionAssert.AreEqual(new[] { 72.5f }, JsonSerializer.Deserialize<float[]>(metadata[OnnxMetadataKeys.NormalizationMean]));
        CollectionAssert.AreEqual(new[] { 90.25f }, JsonSerializer.Deserialize<float[]>(metadata[OnnxMetadataKeys.NormalizationStd]));
        foreach (int batch in new[] { 1, 5 })
        {
            var pixels = RandomPixels(batch, spec.Input, seed: batch);
            var probabilities = OnnxRuntimeScoring.Run(session, pixels, [batch, 1, 28, 28]);
            AssertClose(Predict(model, pixels, batch), probabilities, $"batch of {batch}");
        }
    }

    [TestMethod]
    public void ExportingToAFileReplacesItWholeAndTrainingModeIsRestored()
    {
        using var model = CnnModel.Create("resnet20", new ModelSpec(new ImageShape(3, 8, 8), Classes), InputNormalization.Identity(3), CPU, seed: 5);
        model.Network.train();
        string path = Path.Combine(TestFolders.Create(), "model.onnx");
        File.WriteAllText(path, "an older file");

        model.ExportToOnnx(path);

        using var session = new InferenceSession(path);
        Assert.AreEqual("image", session.InputNames.Single());
        Assert.AreEqual("probabilities", session.OutputNames.Single());
        Assert.IsTrue(model.Network.training, "the network is back in training mode");
        Assert.HasCount(1, Directory.GetFiles(Path.GetDirectoryName(path)!), "no temporary file is left");
    }

    [TestMethod]
    public void ALayerWithoutAnOnnxFormFailsNamingTheArchitectureTheLayerAndItsType()
    {
        const string Name = "onnx-test-fractional";
        if (!ModelZoo.Contains(Name))
        {
            ModelZoo.Register(Name, spec => nn.Sequential(
                ("conv", nn.Conv2d(spec.Input.Channels, 4, 3)), ("pool", nn.FractionalMaxPool2d(2, output_size: 4)),
                ("flatten", nn.Flatten()), ("fc", nn.Linear(4 * 4 * 4, spec.ClassCount))));
        }
        using var model = CnnModel.Create(Name, new ModelSpec(new ImageShape(1, 10, 10), 3), InputNormalization.Identity(1), CPU);

        var error = Assert.ThrowsExactly<NotSupportedException>(() => model.ExportToOnnx(new MemoryStream()));

        StringAssert.Contains(error.Message, $"'{Name}'");
        StringAssert.Contains(error.Message, "layer 'pool' (FractionalMaxPool2d)");
    }

    [TestMethod]
    public void ANetworkWithItsOwnForwardPassFailsNamingItsType()
    {
        const string Name = "onnx-test-own-forward";
        if (!ModelZoo.Contains(Name))
            ModelZoo.Register(Name, spec => new OwnForward(spec));
        using var model = CnnModel.Create(Name, new ModelSpec(new ImageShape(1, 4, 4), 3), InputNormalization.Identity(1), CPU);

        var error = Assert.ThrowsExactly<NotSupportedException>(() => model.ExportToOnnx(new MemoryStream()));

        StringAssert.Contains(error.Message, $"'{Name}'");
        StringAssert.Contains(error.Message, "(OwnForward)");
    }

    /// <summary>The smallest input each family documents (28x28 grey for LeNet, which pads it to 32x32 anyway).</summary>
    private static ImageShape SmallestInput(string name) => name switch
    {
        _ when name.StartsWith("lenet", StringComparison.Ordinal) => new ImageShape(1, 28, 28),
        _ when name.StartsWith("alexnet", StringComparison.Ordinal) => new ImageShape(3, 15, 15),
        _ => new ImageShape(3, 8, 8),
    };

    /// <summary>
    /// VGG's smallest network pools only down (its 8x8 input leaves a 1x1 map, which the default adaptive pool would spread
    /// over the 25,088 inputs of a 103M-parameter fc6, 15-30 s a variant here); the adaptive pool's export has its own test.
    /// </summary>
    private static Dictionary<string, double> SmallestOptions(string name) =>
        name.StartsWith("vgg", StringComparison.Ordinal) ? new() { [Vgg.AdaptivePoolOption] = 0 } : [];

    /// <summary>
    /// Builds the model with random weights and batch-normalisation statistics, then asserts that ONNX Runtime gives the
    /// probabilities TorchSharp gives for the same raw pixels, within <see cref="Tolerance"/>.
    /// </summary>
    private static void AssertOnnxRuntimeAgrees(string name, ModelSpec spec)
    {
        var input = spec.Input;
        var normalization = new InputNormalization([.. Enumerable.Range(0, input.Channels).Select(c => 100f + 10 * c)], [.. Enumerable.Range(0, input.Channels).Select(c => 60f - 5 * c)]);
        using var model = CnnModel.Create(name, spec, normalization, CPU, seed: 11);
        var pixels = RandomPixels(Batch, input, seed: 12);
        Randomise(model, pixels);
        var expected = Predict(model, pixels, Batch);
        Assert.IsGreaterThan(0.05, expected.Max() - expected.Min(), $"{name}: the probabilities must differ for the comparison to mean something");

        using var session = new InferenceSession(Export(model));
        var actual = OnnxRuntimeScoring.Run(session, pixels, [Batch, input.Channels, input.Height, input.Width]);

        AssertClose(expected, actual, $"{name} at {input}");
    }

    private static byte[] Export(CnnModel model, OnnxExportOptions? options = null)
    {
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream, options);
        return stream.ToArray();
    }

    /// <summary>
    /// Batch-normalisation statistics of the test batch and random affine parameters (fresh ones make an identity in
    /// evaluation mode), and the last linear layer rescaled so the logits spread over a few units: deep random networks
    /// otherwise give nearly uniform (or, for residual ones, one-hot) probabilities that would agree whatever the graph did.
    /// </summary>
    private static void Randomise(CnnModel model, float[] pixels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = model.Spec.Input;
        var batch = tensor(pixels, [Batch, input.Channels, input.Height, input.Width]);
        var norms = model.Network.modules().OfType<BatchNorm>().ToList();
        foreach (var norm in norms)
            norm.momentum = 1;
        model.Network.train();
        model.Logits(batch);
        foreach (var norm in norms)
        {
            norm.momentum = 0.1;
            norm.weight.uniform_(0.5, 1.5);
            norm.bias!.normal_(0, 0.2);
        }
        model.Network.eval();
        var output = model.Network.modules().OfType<Linear>().LastOrDefault(linear => linear.out_features == model.Spec.ClassCount);
        if (output is null)
            return;
        double spread = model.Logits(batch).std().item<float>();
        output.weight!.mul_(2 / spread);
        output.bias?.mul_(2 / spread);
        model.WeightsChanged();
    }

    private static float[] Predict(CnnModel model, float[] pixels, int batch)
    {
        var probabilities = new float[batch * model.Spec.ClassCount];
        model.PredictProbabilities(pixels, batch, probabilities);
        return probabilities;
    }

    private static float[] RandomPixels(int batch, ImageShape shape, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, batch * shape.Size).Select(_ => (float)(random.NextDouble() * 255))];
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.IsLessThanOrEqualTo(Tolerance, worst, $"{what}: ONNX Runtime's probabilities differ from TorchSharp's by up to {worst:G3}");
    }

    /// <summary>A network whose forward pass is its own code, which the exporter cannot see into.</summary>
    private sealed class OwnForward : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc;

        public OwnForward(ModelSpec spec) : base(nameof(OwnForward))
        {
            fc = nn.Linear(spec.Input.Size, spec.ClassCount);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc.call(input.flatten(1)).abs();
    }
}
