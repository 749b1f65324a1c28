using MLNetCnn.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.IO;

[TestClass]
public sealed class TensorReaderTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ReadsWhatTensorSaveWrote()
    {
        using var scope = NewDisposeScope();
        var original = arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            original.Save(writer);
        stream.Position = 0;

        var read = TensorReader.Read(new BinaryReader(stream));

        CollectionAssert.AreEqual(original.shape, read.shape);
        CollectionAssert.AreEqual(original.data<float>().ToArray(), read.data<float>().ToArray());
        Assert.AreEqual(stream.Length, stream.Position);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AShapeLargerThanTheStreamIsRefusedBeforeAnythingIsAllocated()
    {
        var header = Header(ScalarType.Float32, 1L << 40, 1L << 40);

        var error = Assert.ThrowsExactly<EndOfStreamException>(() => TensorReader.Read(Reader(header, extraBytes: 16)));

        StringAssert.Contains(error.Message, "Float32 tensor of shape [1099511627776, 1099511627776]");
        StringAssert.Contains(error.Message, "only 4 elements are left");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnUnknownDtypeARankBeyondTheLimitAndANegativeSizeAreFormatErrors()
    {
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => TensorReader.Read(Reader([99, 1, 1]))).Message, "unknown dtype 99");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => TensorReader.Read(Reader(Header(ScalarType.Float32, new long[17])))).Message, "17 dimensions");
        StringAssert.Contains(Assert.ThrowsExactly<FormatException>(() => TensorReader.Read(Reader(Header(ScalarType.Float32, 2, -3)))).Message, "negative size -3");
    }

    private static byte[] Header(ScalarType dtype, params long[] shape)
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write7BitEncodedInt64((long)dtype);
        writer.Write7BitEncodedInt64(shape.Length);
        foreach (long size in shape)
            writer.Write7BitEncodedInt64(size);
        writer.Flush();
        return stream.ToArray();
    }

    private static BinaryReader Reader(byte[] header, int extraBytes = 0) => new(new MemoryStream([.. header, .. new byte[extraBytes]]));
}
