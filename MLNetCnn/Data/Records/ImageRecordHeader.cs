using System.Text;

namespace MLNetCnn.Data;

/// <summary>How an <see cref="ImageRecordFile"/> holds pixel values.</summary>
public enum ImageRecordStorage : byte
{
    /// <summary>One byte per value: every value was a whole number in 0..255.</summary>
    Bytes = 1,

    /// <summary>A float32 per value.</summary>
    Floats = 4,
}

/// <summary>
/// The header of an image record file: what the records came from (the source's fingerprint), their shape, storage,
/// number, classes and per-channel statistics, and the XxHash3 checksum of the records. Its size depends only on the
/// fingerprint, the class count and the channels, so the writer reserves it before the records and fills it in last.
/// </summary>
internal sealed record ImageRecordHeader(string Fingerprint, ImageShape Shape, ImageRecordStorage Storage, long Count,
    long[] ClassCounts, double[] Mean, double[] StandardDeviation, ulong Checksum)
{
    private const string Magic = "MLNCNNRC";
    private const int Version = 1;
    private const int Alignment = 64;

    /// <summary>Bytes of one record: a 32-bit label, then the CHW values.</summary>
    public int RecordSize => sizeof(int) + Shape.Size * (int)Storage;

    /// <summary>Where the first record starts: the header's length rounded up to a cache line.</summary>
    public int RecordsOffset => (Serialize().Length + Alignment - 1) / Alignment * Alignment;

    /// <summary>The length a complete file with these records has.</summary>
    public long FileLength => RecordsOffset + Count * RecordSize;

    public byte[] Serialize()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.ASCII.GetBytes(Magic));
            writer.Write(Version);
            writer.Write(Fingerprint);
            writer.Write(Shape.Channels);
            writer.Write(Shape.Height);
            writer.Write(Shape.Width);
            writer.Write((byte)Storage);
            writer.Write(Count);
            writer.Write(ClassCounts.Length);
            foreach (long count in ClassCounts)
                writer.Write(count);
            foreach (double value in Mean.Concat(StandardDeviation))
                writer.Write(value);
            writer.Write(Checksum);
        }
        return stream.ToArray();
    }

    /// <summary>Reads a header; throws an <see cref="InvalidDataException"/> saying what is wrong when it is not one.</summary>
    public static ImageRecordHeader Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic)
                throw new InvalidDataException("it is not an MLNetCnn record file");
            int version = reader.ReadInt32();
            if (version != Version)
                throw new InvalidDataException($"it has format version {version}, not {Version}");
            string fingerprint = reader.ReadString();
            var shape = new ImageShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
            var storage = (ImageRecordStorage)reader.ReadByte();
            long count = reader.ReadInt64();
            int classCount = reader.ReadInt32();
            if (shape.Channels is < 1 or > 4096 || shape.Height < 1 || shape.Width < 1 || !Enum.IsDefined(storage) || count < 0 || classCount is < 1 or > 1 << 20)
                throw new InvalidDataException("its header is damaged");
            var classCounts = new long[classCount];
            for (int i = 0; i < classCount; i++)
                classCounts[i] = reader.ReadInt64();
            var mean = new double[shape.Channels];
            var deviation = new double[shape.Channels];
            for (int i = 0; i < mean.Length; i++)
                mean[i] = reader.ReadDouble();
            for (int i = 0; i < deviation.Length; i++)
                deviation[i] = reader.ReadDouble();
            return new ImageRecordHeader(fingerprint, shape, storage, count, classCounts, mean, deviation, reader.ReadUInt64());
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("it ends inside its header");
        }
    }
}
