using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests;

[TestClass]
public sealed class CnnModelTests
{
    private static readonly ImageDataset Images = SyntheticImages.Bars(20, classCount: 3, size: 16);

    [TestMethod]
    public void SaveAndLoadGiveIdenticalProbabilities()
    {
        using var model = Create("lenet5", seed: 4);
        var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        using var loaded = CnnModel.Load(stream, CPU);

        Assert.AreEqual("lenet5", loaded.Architecture);
        Assert.AreEqual(model.Spec.Input, loaded.Spec.Input);
        CollectionAssert.AreEqual(model.Normalization.Mean, loaded.Normalization.Mean);
        CollectionAssert.AreEqual(Probabilities(model), Probabilities(loaded));
    }

    [TestMethod]
    public void ProbabilitiesSumToOnePerImage()
    {
        using var model = Create("lenet5", seed: 2);
        var probabilities = Probabilities(model);
        for (int i = 0; i < Images.Count; i++)
            Assert.AreEqual(1.0, probabilities.Skip(i * 3).Take(3).Sum(), 1e-5);
    }

    [TestMethod]
    public void ATruncatedModelIsReportedAsTruncated()
    {
        using var model = Create("lenet5", seed: 1);
        var stream = new MemoryStream();
        model.Save(stream);
        var truncated = new MemoryStream(stream.ToArray()[..(int)(stream.Length / 2)]);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(truncated, CPU, "model.bin"));
        StringAssert.Contains(error.Message, "model.bin");
    }

    [TestMethod]
    public void WeightsThatDoNotFitTheArchitectureAreRejected()
    {
        using var model = Create("lenet5", seed: 1);
        var bytes = new MemoryStream();
        model.Save(bytes);
        // Same file, but it now declares 4 classes: the output layer's weights no longer fit.
        var tampered = bytes.ToArray();
        int classCountOffset = IndexOfClassCount(tampered);
        BitConverter.GetBytes(4).CopyTo(tampered, classCountOffset);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(new MemoryStream(tampered), CPU, "tampered"));
        StringAssert.Contains(error.Message, "do not fit");
    }

    [TestMethod]
    public void ANonModelStreamIsRejected()
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(new MemoryStream("hello world, not a model"u8.ToArray()), CPU, "notes.txt"));
        StringAssert.Contains(error.Message, "notes.txt");
    }

    [TestMethod]
    public void ADisposedModelCannotScore()
    {
        var model = Create("lenet5", seed: 1);
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => Probabilities(model));
    }

    private static CnnModel Create(string architecture, int seed) =>
        CnnModel.Create(architecture, new ModelSpec(Images.Shape, Images.ClassCount), InputNormalization.FromData(Images), CPU, seed);

    private static float[] Probabilities(CnnModel model)
    {
        var probabilities = new float[Images.Count * Images.ClassCount];
        model.PredictProbabilities(Images.Pixels, Images.Count, probabilities);
        return probabilities;
    }

    // Header: signature, version, architecture, channels, height, width, then the class count.
    private static int IndexOfClassCount(byte[] file)
    {
        using var reader = new BinaryReader(new MemoryStream(file));
        reader.ReadString();
        reader.ReadInt32();
        reader.ReadString();
        reader.ReadInt32();
        reader.ReadInt32();
        reader.ReadInt32();
        return (int)reader.BaseStream.Position;
    }
}
