using MLNetCnn.Data;
using MLNetCnn.Tests.Training;
using MLNetCnn.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests;

[TestClass]
public sealed class CnnModelTests
{
    private static readonly ImageDataset Images = SyntheticImages.Bars(20, classCount: 3, size: 16);

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow("lenet5")]
    [DataRow("lenet5-classic")]
    [DataRow("resnet20")]
    public void SaveAndLoadKeepEveryWeightBitForBitAndTheProbabilities(string architecture)
    {
        using var model = Create(architecture, seed: 4);
        var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        using var loaded = CnnModel.Load(stream, CPU);

        Assert.AreEqual(architecture, loaded.Architecture);
        Assert.AreEqual(model.Spec.Input, loaded.Spec.Input);
        CollectionAssert.AreEqual(model.Normalization.Mean, loaded.Normalization.Mean);
        TrainedWeights.AssertEqual(TrainedWeights.Of(model), TrainedWeights.Of(loaded));
        // libtorch's CPU reductions may sum in another order from one call to the next, so outputs agree to rounding.
        var (expected, actual) = (Probabilities(model), Probabilities(loaded));
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-6f, $"probability {i}");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ProbabilitiesSumToOnePerImage()
    {
        using var model = Create("lenet5", seed: 2);
        var probabilities = Probabilities(model);
        for (int i = 0; i < Images.Count; i++)
            Assert.AreEqual(1.0, probabilities.Skip(i * 3).Take(3).Sum(), 1e-5);
    }

    [TestCategory("Fast")]

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

    [TestCategory("Fast")]

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

    [TestCategory("Fast")]

    [TestMethod]
    public void ANonModelStreamIsRejected()
    {
        var error = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(new MemoryStream("hello world, not a model"u8.ToArray()), CPU, "notes.txt"));
        StringAssert.Contains(error.Message, "notes.txt");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ADisposedModelCannotScore()
    {
        var model = Create("lenet5", seed: 1);
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => Probabilities(model));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AFileNamingLeNet5ButHoldingAnotherNetworksWeightsIsRejectedNamingATensor()
    {
        if (!ModelZoo.Contains(OtherNetwork))
            ModelZoo.Register(OtherNetwork, spec => nn.Sequential(("flatten", nn.Flatten()), ("fc", nn.Linear(spec.Input.Size, spec.ClassCount))));
        using var other = Create(OtherNetwork, seed: 1);
        var file = StoredModel.Read(Saved(other));
        file.Architecture = "lenet5";

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(new MemoryStream(file.Write()), CPU, "other.bin"));

        StringAssert.Contains(error.Message, "other.bin");
        StringAssert.Contains(error.Message, "'lenet5'");
        StringAssert.Contains(error.Message, "2 tensors");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AWeightOfAnotherDtypeOrStoredTwiceIsRejectedNamingIt()
    {
        using var model = Create("lenet5", seed: 1);
        var otherDtype = StoredModel.Read(Saved(model));
        otherDtype.Tensors[0] = otherDtype.Tensors[0] with { Dtype = (long)ScalarType.Float64 };
        var twice = StoredModel.Read(Saved(model));
        twice.Tensors[2] = twice.Tensors[0];
        string first = twice.Tensors[0].Name;

        var dtypeError = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(new MemoryStream(otherDtype.Write()), CPU));
        var twiceError = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(new MemoryStream(twice.Write()), CPU));

        StringAssert.Contains(dtypeError.Message, $"tensor '{first}' is Float64 in the file, Float32 in the network");
        StringAssert.Contains(twiceError.Message, $"tensor '{first}' twice");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AChangedWeightValueIsCaughtByTheChecksum()
    {
        using var model = Create("lenet5", seed: 1);
        var bytes = Saved(model);
        bytes[bytes.Length / 2] ^= 1;

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(new MemoryStream(bytes), CPU, "flipped.bin"));

        StringAssert.Contains(error.Message, "flipped.bin is damaged");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SizesInTheHeaderAreBoundedBeforeAnythingIsBuilt()
    {
        using var model = Create("lenet5", seed: 1);
        var huge = StoredModel.Read(Saved(model));
        huge.Shape = new ImageShape(4096, 16384, 16384);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => CnnModel.Load(new MemoryStream(huge.Write()), CPU, "huge.bin"));

        StringAssert.Contains(error.Message, "4096x16384x16384");
    }

    private const string OtherNetwork = "test-linear";

    private static byte[] Saved(CnnModel model)
    {
        var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
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

    /// <summary>
    /// A saved model taken apart (header fields and each weight tensor as stored) so a test can change one thing
    /// and write it back with a valid checksum: whatever the load then rejects, it rejects for that change.
    /// </summary>
    private sealed class StoredModel
    {
        private string _signature = "";
        private int _version;
        private int _classCount;
        private byte[] _normalization = [];

        public string Architecture { get; set; } = "";

        public ImageShape Shape { get; set; }

        public List<StoredTensor> Tensors { get; } = [];

        public static StoredModel Read(byte[] file)
        {
            using var reader = new BinaryReader(new MemoryStream(file));
            var model = new StoredModel
            {
                _signature = reader.ReadString(),
                _version = reader.ReadInt32(),
                Architecture = reader.ReadString(),
                Shape = new ImageShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32()),
                _classCount = reader.ReadInt32(),
            };
            Assert.AreEqual(0, reader.ReadInt32(), "no family options");
            var normalization = reader.ReadBytes(2 * 4 * model.Shape.Channels);
            long count = reader.Read7BitEncodedInt64();
            for (long i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                long dtype = reader.Read7BitEncodedInt64();
                var shape = new long[reader.Read7BitEncodedInt64()];
                for (int d = 0; d < shape.Length; d++)
                    shape[d] = reader.Read7BitEncodedInt64();
                model.Tensors.Add(new StoredTensor(name, dtype, shape, reader.ReadBytes(4 * (int)shape.Aggregate(1L, (a, b) => a * b))));
            }
            model._normalization = normalization;
            return model;
        }

        public byte[] Write()
        {
            var payload = new MemoryStream();
            using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Architecture);
                writer.Write(Shape.Channels);
                writer.Write(Shape.Height);
                writer.Write(Shape.Width);
                writer.Write(_classCount);
                writer.Write(0);
                writer.Write(_normalization);
                writer.Write7BitEncodedInt64(Tensors.Count);
                foreach (var tensor in Tensors)
                {
                    writer.Write(tensor.Name);
                    writer.Write7BitEncodedInt64(tensor.Dtype);
                    writer.Write7BitEncodedInt64(tensor.Shape.Length);
                    foreach (var size in tensor.Shape)
                        writer.Write7BitEncodedInt64(size);
                    writer.Write(tensor.Data);
                }
            }
            var file = new MemoryStream();
            using (var writer = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(_signature);
                writer.Write(_version);
                writer.Write(payload.ToArray());
                writer.Write(System.Security.Cryptography.SHA256.HashData(payload.ToArray()));
            }
            return file.ToArray();
        }
    }

    private sealed record StoredTensor(string Name, long Dtype, long[] Shape, byte[] Data);
}
