using MLNetCnn.Data;
using MLNetCnn.Runtime;
using MLNetCnn.Tests.Training;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests;

[TestClass]
public sealed class TensorLayoutTests
{
    // Other kernels add in other orders: the layouts agree to about 1e-6 here; the margin covers other CPUs.
    private const double Tolerance = 1e-5;
    private static readonly ImageDataset Colour = SyntheticImages.Bars(16, classCount: 4, size: 16, channels: 3, seed: 3);

    [TestMethod]
    public void ChannelsLastKeepsTheShapeAndValuesWithTheChannelsInnermostInMemory()
    {
        using var scope = NewDisposeScope();
        var first = arange(2 * 3 * 4 * 5, ScalarType.Float32).view(2, 3, 4, 5);

        var last = TensorLayouts.ToChannelsLast(first);

        CollectionAssert.AreEqual(first.shape, last.shape);
        CollectionAssert.AreEqual(new long[] { 60, 1, 15, 3 }, last.stride());
        Assert.IsTrue(TensorLayouts.IsChannelsLast(last));
        Assert.IsFalse(TensorLayouts.IsChannelsLast(first));
        Assert.IsTrue(first.eq(last).all().item<bool>());
        Assert.AreSame(last, TensorLayouts.ToChannelsLast(last), "a channels-last tensor is returned as it is");
    }

    [TestMethod]
    public void GrayscaleBatchesAndDepthwiseAndPointwiseWeightsRunChannelsLastInLibtorch()
    {
        using var scope = NewDisposeScope();
        var gray = randn(2, 1, 6, 6);
        var features = randn(2, 4, 6, 6);
        Assert.IsFalse(TensorLayouts.IsChannelsLast(gray), "dense either way, but with channels-first strides libtorch reads it so");

        var last = TensorLayouts.ToChannelsLast(gray);
        var stem = nn.functional.conv2d(last, randn(4, 1, 3, 3), padding: [1, 1]);
        var grayWeight = nn.functional.conv2d(gray, TensorLayouts.ToChannelsLast(randn(4, 1, 3, 3)), padding: [1, 1]);
        var depthwise = nn.functional.conv2d(features, TensorLayouts.ToChannelsLast(randn(4, 1, 3, 3)), padding: [1, 1], groups: 4);
        var pointwise = nn.functional.conv2d(features, TensorLayouts.ToChannelsLast(randn(8, 4, 1, 1)));

        CollectionAssert.AreEqual(new long[] { 36, 1, 6, 1 }, last.stride());
        Assert.IsTrue(gray.eq(last).all().item<bool>());
        Assert.IsTrue(TensorLayouts.IsChannelsLast(stem), "libtorch ran the convolution of a channels-last grayscale batch channels-last");
        Assert.IsTrue(TensorLayouts.IsChannelsLast(grayWeight), "a channels-last one-channel weight makes it so");
        Assert.IsTrue(TensorLayouts.IsChannelsLast(depthwise), "a channels-last depthwise weight makes the convolution channels-last");
        Assert.IsTrue(TensorLayouts.IsChannelsLast(pointwise), "a channels-last pointwise weight makes the convolution channels-last");
    }

    [TestMethod]
    public void ChannelsLastTrainingLaysOutEveryConvolutionWeightOfMobileNetChannelsLast()
    {
        var gray = SyntheticImages.Bars(8, classCount: 2, size: 16, channels: 1, seed: 3);
        var spec = new ModelSpec(gray.Shape, gray.ClassCount);
        using var model = CnnModel.Create("mobilenet-v1-0.25", spec, InputNormalization.FromData(gray), CPU, 1);
        var layouts = new List<bool>();
        var options = new TrainingOptions { Epochs = 1, BatchSize = 4, Seed = 1, Layout = TensorLayout.ChannelsLast };
        var trainer = new ClassifierTrainer(options);
        trainer.EpochCompleted += _ =>
            layouts.AddRange(model.Network.parameters().Where(p => p.dim() == 4).Select(TensorLayouts.IsChannelsLast));

        trainer.Train(model, gray);

        Assert.HasCount(27, layouts, "the stem, 13 depthwise and 13 pointwise convolutions");
        bool supported = TensorLayouts.ChannelsLastSupported(CPU);
        Assert.IsTrue(layouts.All(channelsLast => channelsLast == supported), $"every weight channels-last while training: {supported}");
        Assert.IsTrue(model.Network.parameters().All(p => p.dim() != 4 || !TensorLayouts.IsChannelsLast(p)), "and channels-first after it");
    }

    [TestMethod]
    [DataRow("resnet18")]
    [DataRow("resnet20")]
    public void LogitsAreTheSameInEitherLayout(string architecture)
    {
        using var model = Model(architecture, seed: 1);
        using var scope = NewDisposeScope();
        var (images, _) = Colour.ReadBatch(epoch: 0, [0, 1, 2, 3, 4, 5]);

        model.Layout = TensorLayout.ChannelsFirst;
        var first = model.Logits(images);
        model.Layout = TensorLayout.ChannelsLast;
        var last = model.Logits(images);

        AssertClose(first, last, "logits");
        Assert.IsGreaterThan(0.01, first.std().item<float>(), "logits that differ between images, so that the comparison means something");
    }

    [TestMethod]
    [DataRow("resnet20")]
    [DataRow("lenet5")]
    /// <remarks>
    /// Deep networks on tiny maps (ResNet-18 with 2x2 maps in layer4, MobileNet with 1x1 ones at 16x16 inputs) amplify the rounding
    /// of batch statistics over 16 values through every layer: there the layouts' steps differ by 0.1 to 0.6 % here.
    /// </remarks>
    public void ATrainingStepChangesTheWeightsAlikeInEitherLayoutAndLeavesThemChannelsFirst(string architecture)
    {
        var first = TrainOneStep(architecture, TensorLayout.ChannelsFirst);
        var last = TrainOneStep(architecture, TensorLayout.ChannelsLast);

        var initial = Weights(Model(architecture, seed: 1));
        Assert.IsTrue(first.Any(w => !w.Value.SequenceEqual(initial[w.Key])), "the step changed the weights");
        foreach (var (name, values) in first)
        {
            // Measured here: up to 1e-5 of the step's largest change (4e-6 on ResNet-20); the margin covers other CPUs' kernels.
            double step = values.Zip(initial[name]).Max(p => Math.Abs(p.First - p.Second));
            for (int i = 0; i < values.Length; i++)
            {
                Assert.IsLessThanOrEqualTo(1e-4 * step + 1e-7, Math.Abs(values[i] - last[name][i]),
                    $"{name}[{i}]: {values[i]} channels-first against {last[name][i]} channels-last, after a step of at most {step}");
            }
        }
    }

    [TestMethod]
    public void ACheckpointWrittenChannelsLastResumesChannelsFirstAsAnUninterruptedRun()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"mlnetcnn-layout-{Guid.NewGuid():N}");
        try
        {
            var options = new TrainingOptions
            {
                Epochs = 2, BatchSize = 8, Seed = 2, Optimizer = OptimizerKind.Sgd, Momentum = 0.9, LearningRate = 0.01,
                Checkpoints = new CheckpointOptions { Folder = folder },
            };
            using (var interrupted = Model("resnet20", seed: 1))
            using (var cancellation = new CancellationTokenSource())
            {
                var trainer = new ClassifierTrainer(options with { Layout = TensorLayout.ChannelsLast });
                trainer.EpochCompleted += _ => cancellation.Cancel();
                Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Train(interrupted, Colour, cancellation: cancellation.Token));
            }
            using var resumed = Model("resnet20", seed: 7);
            new ClassifierTrainer(options with { Layout = TensorLayout.ChannelsFirst, Checkpoints = options.Checkpoints with { Resume = true } })
                .Train(resumed, Colour);
            using var uninterrupted = Model("resnet20", seed: 1);
            new ClassifierTrainer(options with { Layout = TensorLayout.ChannelsFirst, Checkpoints = null }).Train(uninterrupted, Colour);

            // Two epochs of batch normalisation let rounding differences grow; a misread momentum would differ by far more.
            var expected = TrainedWeights.Of(uninterrupted);
            foreach (var (name, values) in TrainedWeights.Of(resumed))
                AssertClose(expected[name], values, name, tolerance: 1e-4);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AModelTrainedChannelsLastSavesAndLoadsToScoreTheSameChannelsFirst()
    {
        using var trained = Model("resnet20", seed: 1);
        new ClassifierTrainer(new TrainingOptions { Epochs = 1, BatchSize = 8, Seed = 1, Layout = TensorLayout.ChannelsLast }).Train(trained, Colour);
        trained.Layout = TensorLayout.ChannelsLast;
        using var stream = new MemoryStream();
        trained.Save(stream);
        stream.Position = 0;

        using var loaded = CnnModel.Load(stream, CPU);
        loaded.Network.eval();
        loaded.Layout = TensorLayout.ChannelsFirst;

        using var scope = NewDisposeScope();
        var (images, _) = Colour.ReadBatch(epoch: 0, [0, 1, 2, 3]);
        AssertClose(trained.Logits(images), loaded.Logits(images), "logits");
    }

    [TestMethod]
    public void AutoChoosesChannelsLastForTheFamiliesMeasuredFasterThatWayOnTheCpu()
    {
        // Where oneDNN is held to AVX (a CPU that does not describe its caches), ResNet-8 and the ImageNet ResNets measured no faster
        // channels-last; MobileNet, GoogLeNet and the deeper CIFAR ResNets did everywhere.
        bool measuredFaster = CpuCacheTopology.IsDescribed;
        Assert.AreEqual(measuredFaster, TensorLayouts.ChannelsLastByDefault("resnet18", CPU));
        Assert.AreEqual(measuredFaster, TensorLayouts.ChannelsLastByDefault("resnet8", CPU));
        foreach (var architecture in new[] { "mobilenet-v1", "googlenet", "resnet20", "resnet110" })
            Assert.IsTrue(TensorLayouts.ChannelsLastByDefault(architecture, CPU), architecture);
        Assert.IsFalse(TensorLayouts.ChannelsLastByDefault("lenet5", CPU));
        Assert.IsFalse(TensorLayouts.ChannelsLastByDefault(TinyNetwork.Name, CPU), "an architecture of one's own stays channels-first");
        bool supported = TensorLayouts.ChannelsLastSupported(CPU);
        Assert.AreEqual(measuredFaster && supported, TensorLayout.Auto.UsesChannelsLast("resnet18", CPU),
            "where the CPU runs channels-last faster");
        Assert.IsFalse(TensorLayout.Auto.UsesChannelsLast("lenet5", CPU));
        Assert.IsFalse(TensorLayout.ChannelsFirst.UsesChannelsLast("resnet18", CPU));
        Assert.AreEqual(supported, TensorLayout.ChannelsLast.UsesChannelsLast(TinyNetwork.Name, CPU));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new TrainingOptions { Layout = (TensorLayout)7 }.Validate()).Message, "layout");
    }

    [TestMethod]
    [DataRow("mobilenet-v1-0.25", TensorLayout.Auto)]
    [DataRow("mobilenet-v1-0.25", TensorLayout.ChannelsLast)]
    [DataRow("resnet50", TensorLayout.Auto)]
    [DataRow("resnet50", TensorLayout.ChannelsLast)]
    public void PointwiseNetworksTrainAndScoreInEveryLayoutOnThisCpu(string architecture, TensorLayout layout)
    {
        // On a CPU that does not describe its caches, libtorch's channels-last 1x1 convolutions stopped the process (SIGFPE).
        using var model = Model(architecture, seed: 1);
        new ClassifierTrainer(new TrainingOptions { Epochs = 1, BatchSize = 8, Seed = 1, Layout = layout }).Train(model, Colour);
        model.Network.eval();
        model.Layout = layout;

        using var scope = NewDisposeScope();
        var (images, _) = Colour.ReadBatch(epoch: 0, [0, 1, 2, 3]);
        var logits = model.Logits(images);

        Assert.IsFalse(logits.isnan().any().item<bool>(), $"{architecture}: finite logits");
        CollectionAssert.AreEqual(new long[] { 4, Colour.ClassCount }, logits.shape);
    }

    private static Dictionary<string, float[]> TrainOneStep(string architecture, TensorLayout layout)
    {
        using var model = Model(architecture, seed: 1);
        var options = new TrainingOptions { Epochs = 1, BatchSize = Colour.Count, Seed = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, Layout = layout };
        new ClassifierTrainer(options).Train(model, Colour);
        Assert.IsTrue(model.Network.parameters().All(p => p.is_contiguous()), "training hands the weights back channels-first");
        return TrainedWeights.Of(model);
    }

    /// <summary>A fresh model in evaluation mode, as training leaves one (in training mode, scoring normalises with the batch's statistics).</summary>
    private static CnnModel Model(string architecture, int seed)
    {
        var model = CnnModel.Create(architecture, new ModelSpec(Colour.Shape, Colour.ClassCount), InputNormalization.FromData(Colour), CPU, seed);
        model.Network.eval();
        return model;
    }

    private static Dictionary<string, float[]> Weights(CnnModel model)
    {
        using (model)
            return TrainedWeights.Of(model);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what) =>
        AssertClose(expected.cpu().data<float>().ToArray(), actual.cpu().data<float>().ToArray(), what);

    private static void AssertClose(float[] expected, float[] actual, string what, double tolerance = Tolerance)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = tolerance * (1 + Math.Abs(expected[i]));
            Assert.IsLessThanOrEqualTo(allowed, Math.Abs(expected[i] - actual[i]), $"{what}[{i}]: {expected[i]} against {actual[i]}");
        }
    }
}
