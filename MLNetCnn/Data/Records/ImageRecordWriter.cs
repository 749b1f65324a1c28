using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace MLNetCnn.Data;

/// <summary>
/// Writes labelled images, one after another in a single sequential pass, into an <see cref="ImageRecordFile"/>:
/// fixed-size records of a label and the CHW values, as bytes while every value is a whole number in 0..255 (the file
/// is rewritten as floats, once, at the first value that is not). Counts the classes, sums the per-channel statistics
/// and hashes the records on the way. The file is written under a temporary name and renamed to its path only by
/// <see cref="Complete"/>, so a pass that fails or is abandoned never leaves a file that looks complete.
/// </summary>
public sealed class ImageRecordWriter : IDisposable
{
    private readonly string _path;
    private readonly string _fingerprint;
    private readonly long[] _classCounts;
    private readonly PixelStatistics _statistics;
    private readonly XxHash3 _hash = new();
    private string _temporaryPath;
    private FileStream _stream;
    private ImageRecordStorage _storage;
    private int _recordsOffset;
    private byte[] _record;
    private PreparedImage? _prepared;
    private bool _completed;

    /// <summary>Starts a file at <paramref name="path"/> for images of <paramref name="shape"/> labelled in <c>[0,
    /// classCount)</c>.</summary>
    /// <param name="path">The file to write; an existing file there is replaced when the pass completes.</param>
    /// <param name="fingerprint">Names the source, so that a reader can tell whether the file still matches it.</param>
    /// <param name="shape">The shape of every image.</param>
    /// <param name="classCount">The number of classes.</param>
    public ImageRecordWriter(string path, string fingerprint, ImageShape shape, int classCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(fingerprint);
        shape.Validate("record file");
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        _path = Path.GetFullPath(path);
        _fingerprint = fingerprint;
        Shape = shape;
        _classCounts = new long[classCount];
        _statistics = new PixelStatistics(shape.Channels);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        (_temporaryPath, _stream) = CreateTemporary();
        _record = Start(ImageRecordStorage.Bytes);
    }

    /// <summary>The shape of every image.</summary>
    public ImageShape Shape { get; }

    /// <summary>The number of images written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends one image; its values must be finite.</summary>
    public void Add(ReadOnlySpan<float> image, int label)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (image.Length != Shape.Size)
            throw new ArgumentException($"Images of shape {Shape} have {Shape.Size} values; got {image.Length}.", nameof(image));
        _prepared ??= new PreparedImage(Shape);
        image.CopyTo(_prepared.Values);
        _prepared.Prepare();
        Add(_prepared, label);
    }

    /// <summary>Appends one image prepared on any thread (<see cref="PreparedImage.Prepare"/>).</summary>
    public void Add(PreparedImage image, int label)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentNullException.ThrowIfNull(image);
        if (image.Shape != Shape)
            throw new ArgumentException($"This file holds images of shape {Shape}; got {image.Shape}.", nameof(image));
        if ((uint)label >= (uint)_classCounts.Length)
            throw new ArgumentOutOfRangeException(nameof(label), label, $"Labels must be in [0, {_classCounts.Length}).");
        if (_storage == ImageRecordStorage.Bytes && !image.AreBytes)
            ConvertToFloats();
        if (_storage == ImageRecordStorage.Bytes)
        {
            BitConverter.TryWriteBytes(_record, label);
            image.Bytes.CopyTo(_record.AsSpan(sizeof(int)));
        }
        else
        {
            EncodeFloats(image.Values, label, _record);
        }
        _stream.Write(_record);
        _hash.Append(_record);
        _classCounts[label]++;
        _statistics.Add(image.Sums, image.Products, Shape.Height * Shape.Width);
        Count++;
    }

    /// <summary>Writes the header, moves the file to its path and opens it for reading.</summary>
    public ImageRecordFile Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var header = Header(_hash.GetCurrentHashAsUInt64());
        _stream.Position = 0;
        _stream.Write(header.Serialize());
        _stream.Flush(flushToDisk: false);
        _stream.Dispose();
        File.Move(_temporaryPath, _path, overwrite: true);
        _completed = true;
        return ImageRecordFile.Open(_path, header);
    }

    /// <summary>Deletes the unfinished file, when <see cref="Complete"/> was not called.</summary>
    public void Dispose()
    {
        if (_completed)
            return;
        _completed = true;
        _stream.Dispose();
        File.Delete(_temporaryPath);
    }

    private ImageRecordHeader Header(ulong checksum)
    {
        var mean = _statistics.Mean();
        var deviation = _statistics.StandardDeviation();
        return new ImageRecordHeader(_fingerprint, Shape, _storage, Count, _classCounts, mean, deviation, checksum);
    }

    private (string Path, FileStream Stream) CreateTemporary()
    {
        string path = $"{_path}.{Environment.ProcessId}-{Guid.NewGuid():N}.partial";
        return (path, new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 20));
    }

    /// <summary>Reserves the header for records of <paramref name="storage"/> and returns a record buffer.</summary>
    private byte[] Start(ImageRecordStorage storage)
    {
        _storage = storage;
        var placeholder = Header(checksum: 0);
        _recordsOffset = placeholder.RecordsOffset;
        _stream.SetLength(_recordsOffset);
        _stream.Position = _recordsOffset;
        return new byte[placeholder.RecordSize];
    }

    /// <summary>Rewrites the byte records written so far as floats, into a new temporary file, and continues in floats.</summary>
    private void ConvertToFloats()
    {
        var (bytesPath, bytes, bytesOffset, byteRecord) = (_temporaryPath, _stream, _recordsOffset, _record);
        (_temporaryPath, _stream) = CreateTemporary();
        _record = Start(ImageRecordStorage.Floats);
        _hash.Reset();
        var image = new float[Shape.Size];
        bytes.Position = bytesOffset;
        for (long row = 0; row < Count; row++)
        {
            bytes.ReadExactly(byteRecord);
            int label = BitConverter.ToInt32(byteRecord);
            for (int i = 0; i < image.Length; i++)
                image[i] = byteRecord[sizeof(int) + i];
            EncodeFloats(image, label, _record);
            _stream.Write(_record);
            _hash.Append(_record);
        }
        bytes.Dispose();
        File.Delete(bytesPath);
    }

    private static void EncodeFloats(ReadOnlySpan<float> image, int label, Span<byte> record)
    {
        BitConverter.TryWriteBytes(record, label);
        MemoryMarshal.AsBytes(image).CopyTo(record[sizeof(int)..]);
    }
}
