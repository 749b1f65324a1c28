using MLNetCnn.Architectures;
using MLNetCnn.Data;
using MLNetCnn.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Pretrained;

[TestClass]
public sealed class PretrainedWeightsTests
{
    private static readonly ImageShape SmallColour = new(3, 64, 64);

    private string _folder = "";

    [TestInitialize]
    public void CreateFolder() => _folder = TestFolders.Create();

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [TestMethod]
    [DataRow("resnet18", "resnet18")]
    [DataRow("resnet50", "resnet50")]
    [DataRow("vgg16_bn", "vgg16-bn")]
    [DataRow("googlenet", "googlenet-torchvision")]
    [DataRow("alexnet", "alexnet-torchvision")]
    public void ConvertedTorchvisionWeightsGiveTorchvisionsLogitsOnRawPixels(string torchvisionModel, string architecture)
    {
        var weights = PretrainedWeights.Read(TorchvisionReference.WeightsFile(torchvisionModel));
        using var model = CnnModel.FromPretrained(weights, new ImageShape(3, 224, 224), classCount: null, CPU);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.Network.eval();

        var expected = TorchvisionReference.Logits(torchvisionModel);
        var logits = model.Logits(TorchvisionReference.Pixels());

        Assert.AreEqual(architecture, weights.Architecture);
        Assert.AreEqual(torchvisionModel == "resnet50" ? 1 : 0, weights.ArchitectureOptions.GetValueOrDefault(ResNet.StrideOnThreeByThreeOption), "torchvision's ResNet-50 strides on the 3x3");
        CollectionAssert.AreEqual(expected.shape, logits.shape);
        // PyTorch 1.13 and libtorch 2.10 choose kernels by CPU, and a 50-layer network's float sums differ in the last bits
        // (1.1e-4 for ResNet-50 on an AMD EPYC): agreement is asked to 0.1 % of the logits' spread, which a wrong
        // layer, weight or padding misses by orders of magnitude.
        float spread = expected.std().item<float>();
        Assert.IsGreaterThan(1f, spread, "torchvision's logits spread far wider than the tolerance");
        float difference = (logits - expected).abs().max().item<float>();
        Assert.IsLessThanOrEqualTo(1e-3f * spread, difference, $"{architecture}: largest difference from torchvision's logits");
    }

    [TestMethod]
    public void EveryMissingUnexpectedMisshapedOrMistypedTensorIsNamedAndNothingIsLoaded()
    {
        using var source = ModelZoo.Create("resnet18", new ModelSpec(SmallColour, 10));
        var tensors = WeightsFiles.StateOf(source)
            .Where(t => t.Name != "layer2.0.downsample.1.running_var")
            .Select(t => t.Name switch
            {
                "layer3.1.conv2.weight" => (t.Name, zeros(256, 256, 1, 1)),
                "bn1.weight" => (t.Name, t.Tensor.to(float64)),
                _ => t,
            })
            .Append(("layer5.0.conv1.weight", zeros(3)));
        string file = WeightsFiles.Write(Path.Combine(_folder, "faulty.weights"), "resnet18", 10, tensors);
        var weights = PretrainedWeights.Read(file);
        using var target = ModelZoo.Create("resnet18", new ModelSpec(SmallColour, 10));
        using var before = target.named_parameters().First().parameter.clone();

        var error = Assert.ThrowsExactly<InvalidDataException>(() => weights.LoadInto(target, "the test's resnet18"));

        StringAssert.Contains(error.Message, file);
        StringAssert.Contains(error.Message, "missing from the file (1): layer2.0.downsample.1.running_var");
        StringAssert.Contains(error.Message, "in the file but not in the network (1): layer5.0.conv1.weight");
        StringAssert.Contains(error.Message, "layer3.1.conv2.weight (file float32 [256, 256, 1, 1], network float32 [256, 256, 3, 3])");
        StringAssert.Contains(error.Message, "bn1.weight (file float64 [64], network float32 [64])");
        Assert.IsTrue(before.eq(target.named_parameters().First().parameter).all().item<bool>(), "nothing is copied from a file that does not fit");
    }

    [TestMethod]
    public void ReplacingTheHeadLoadsEveryOtherTensorAndMakesAFreshHeadForTheNewClasses()
    {
        using var source = ModelZoo.Create("resnet18", new ModelSpec(SmallColour, 10));
        using (var noGrad = no_grad())
        {
            foreach (var norm in source.modules().OfType<TorchSharp.Modules.BatchNorm2d>())
                norm.running_mean!.normal_();
        }
        string file = WeightsFiles.Write(Path.Combine(_folder, "resnet18.weights"), "resnet18", 10,
            WeightsFiles.StateOf(source).Where(t => !t.Name.StartsWith("fc.", StringComparison.Ordinal)));
        var weights = PretrainedWeights.Read(file);

        using var model = CnnModel.FromPretrained(weights, SmallColour, classCount: 3, CPU, seed: 5);

        var loaded = model.Network.state_dict();
        var original = source.state_dict();
        CollectionAssert.AreEqual(new long[] { 3, 512 }, loaded["fc.weight"].shape);
        Assert.AreEqual(3, model.Spec.ClassCount);
        var differing = original.Keys.Where(name => !name.StartsWith("fc.", StringComparison.Ordinal) && !loaded[name].eq(original[name]).all().item<bool>()).ToList();
        Assert.HasCount(0, differing, $"tensors not loaded: {string.Join(", ", differing)}");
        CollectionAssert.AreEqual(new[] { 0.485f * 255, 0.456f * 255, 0.406f * 255 }, model.Normalization.Mean, "ImageNet's mean on 0..255 pixels");
    }

    [TestMethod]
    public void KeepingTheHeadNeedsItInTheFile()
    {
        using var source = ModelZoo.Create("resnet18", new ModelSpec(SmallColour, 10));
        string file = WeightsFiles.Write(Path.Combine(_folder, "headless.weights"), "resnet18", 10,
            WeightsFiles.StateOf(source).Where(t => t.Name != "fc.bias"));

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.FromPretrained(PretrainedWeights.Read(file), SmallColour, classCount: null, CPU));

        StringAssert.Contains(error.Message, "missing from the file (1): fc.bias");
        StringAssert.Contains(error.Message, "'resnet18' network for 3x64x64 inputs and 10 classes");
    }

    [TestMethod]
    public void AFileWithoutMetadataOrCutShortIsRejectedWithItsName()
    {
        string folder = _folder;
        using var source = ModelZoo.Create("lenet5", new ModelSpec(new ImageShape(3, 32, 32), 10));
        string plain = Path.Combine(folder, "plain.dat");
        source.save(plain);
        string full = WeightsFiles.Write(Path.Combine(folder, "full.weights"), "lenet5", 10, WeightsFiles.StateOf(source));
        string cut = Path.Combine(folder, "cut.weights");
        var bytes = File.ReadAllBytes(full);
        File.WriteAllBytes(cut, bytes[..^10]);

        var noMetadata = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedWeights.Read(plain));
        var truncated = Assert.ThrowsExactly<InvalidDataException>(() => PretrainedWeights.Read(cut));

        StringAssert.Contains(noMetadata.Message, PretrainedWeights.MetadataEntry);
        StringAssert.Contains(noMetadata.Message, "convert_torchvision.py");
        StringAssert.Contains(truncated.Message, $"{cut} is truncated in tensor 'classifier.output.bias'");
    }

    [TestMethod]
    public void GreyImagesCannotUseWeightsForColour()
    {
        using var source = ModelZoo.Create("lenet5", new ModelSpec(new ImageShape(3, 32, 32), 10));
        string file = WeightsFiles.Write(Path.Combine(_folder, "colour.weights"), "lenet5", 10, WeightsFiles.StateOf(source));

        var error = Assert.ThrowsExactly<ArgumentException>(() => CnnModel.FromPretrained(PretrainedWeights.Read(file), new ImageShape(1, 32, 32), 2, CPU));

        StringAssert.Contains(error.Message, "3-channel");
    }
}
