using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using MLNetCnn.Runtime;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Data;

/// <summary>
/// Labelled images on disk as fixed-size records (written by <see cref="ImageRecordWriter"/>), read through a memory
/// map: any row in constant time, nothing held in managed memory but one batch's staging buffer, so the operating
/// system's page cache is the only thing that grows with the data: the map's pages are released from the process's
/// resident memory every <see cref="ReleaseBytes"/> read (they stay cached), so reading the whole file in epoch after epoch
/// does not grow the process either. Batches are gathered from the map into a staging
/// tensor and converted to float32 by libtorch in one call. Reading batches is not thread-safe (one reader at a time).
/// </summary>
public sealed unsafe class ImageRecordFile : IEpochData, IDisposable
{
    private readonly ImageRecordHeader _header;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _records;
    private readonly byte* _mapStart;
    private readonly long _mapLength;
    private long _readSinceRelease;
    private readonly int _recordSize;
    private readonly int _valueBytes;
    private Tensor? _stagingImages;
    private Tensor? _stagingLabels;
    private bool _disposed;

    private ImageRecordFile(string path, ImageRecordHeader header)
    {
        _header = header;
        Path = path;
        _recordSize = header.RecordSize;
        _valueBytes = header.Shape.Size * (int)header.Storage;
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _mapStart = start;
        _mapLength = _view.PointerOffset + _view.Capacity;
        _records = start + _view.PointerOffset + header.RecordsOffset;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The fingerprint of the source the records were written from.</summary>
    public string Fingerprint => _header.Fingerprint;

    /// <inheritdoc/>
    public ImageShape Shape => _header.Shape;

    /// <inheritdoc/>
    public int ClassCount => _header.ClassCounts.Length;

    /// <inheritdoc/>
    public long Count => _header.Count;

    /// <summary>How the values are held.</summary>
    public ImageRecordStorage Storage => _header.Storage;

    /// <summary>The number of images of each class.</summary>
    public IReadOnlyList<long> ClassCounts => _header.ClassCounts;

    /// <summary>The mean and standard deviation of each channel over every record, computed as they were written.</summary>
    public InputNormalization Normalization => new(
        [.. _header.Mean.Select(m => (float)m)], [.. _header.StandardDeviation.Select(s => (float)Math.Max(s, InputNormalization.MinimumStd))]);

    /// <summary>
    /// Opens the file at <paramref name="path"/> if it is a complete record file of <paramref name="fingerprint"/> whose
    /// records match their checksum; otherwise returns null and says why in <paramref name="reason"/>.
    /// </summary>
    public static ImageRecordFile? TryOpen(string path, string fingerprint, out string reason)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(fingerprint);
        if (!File.Exists(path))
        {
            reason = "there is no cache file yet";
            return null;
        }
        ImageRecordHeader header;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20);
            header = ImageRecordHeader.Read(stream);
            if (header.Fingerprint != fingerprint)
            {
                reason = "it was written from another source";
                return null;
            }
            if (stream.Length != header.FileLength)
            {
                reason = $"it is {stream.Length} bytes where {header.Count} records make {header.FileLength}: it is truncated or damaged";
                return null;
            }
            stream.Position = header.RecordsOffset;
            var hash = new XxHash3();
            hash.Append(stream);
            if (hash.GetCurrentHashAsUInt64() != header.Checksum)
            {
                reason = "its records do not match their checksum";
                return null;
            }
        }
        catch (InvalidDataException e)
        {
            reason = e.Message;
            return null;
        }
        reason = "";
        return Open(path, header);
    }

    /// <summary>How many bytes of records are read between two releases of the map's resident pages.</summary>
    public const long ReleaseBytes = 64L << 20;

    internal static ImageRecordFile Open(string path, ImageRecordHeader header) => new(path, header);

    /// <summary>The label of row <paramref name="row"/>.</summary>
    public int Label(long row) => MemoryMarshal.Read<int>(Record(row));

    /// <summary>The number of rows of each class, from the header.</summary>
    public long[] CountClasses() => [.. ClassCounts];

    /// <summary>Writes the CHW values of row <paramref name="row"/> into <paramref name="destination"/> as floats.</summary>
    public void ReadImage(long row, Span<float> destination)
    {
        if (destination.Length != Shape.Size)
            throw new ArgumentException($"Images of shape {Shape} have {Shape.Size} values; the destination holds {destination.Length}.", nameof(destination));
        var values = Record(row)[sizeof(int)..];
        if (Storage == ImageRecordStorage.Floats)
        {
            MemoryMarshal.Cast<byte, float>(values).CopyTo(destination);
            return;
        }
        for (int i = 0; i < destination.Length; i++)
            destination[i] = values[i];
    }

    /// <inheritdoc/>
    public (Tensor Images, Tensor Labels) ReadBatch(int epoch, ReadOnlySpan<long> rows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsureStaging(rows.Length);
        var images = _stagingImages!.bytes;
        var labels = MemoryMarshal.Cast<byte, long>(_stagingLabels!.bytes);
        for (int i = 0; i < rows.Length; i++)
        {
            var record = Record(rows[i]);
            labels[i] = MemoryMarshal.Read<int>(record);
            record.Slice(sizeof(int), _valueBytes).CopyTo(images.Slice(i * _valueBytes, _valueBytes));
        }
        using var imageRows = _stagingImages.narrow(0, 0, rows.Length);
        using var labelRows = _stagingLabels.narrow(0, 0, rows.Length);
        return (imageRows.to(ScalarType.Float32, copy: true), labelRows.clone());
    }

    /// <summary>Unmaps the file and frees the staging buffers.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stagingImages?.Dispose();
        _stagingLabels?.Dispose();
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }

    private ReadOnlySpan<byte> Record(long row)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((ulong)row >= (ulong)Count)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"The record file '{Path}' holds {Count} rows.");
        // Released before handing out the next record: no span of an earlier record is in use by then.
        if ((_readSinceRelease += _recordSize) >= ReleaseBytes)
        {
            _readSinceRelease = 0;
            MappedPages.Release(_mapStart, _mapLength);
        }
        return new ReadOnlySpan<byte>(_records + row * _recordSize, _recordSize);
    }

    private void EnsureStaging(int rows)
    {
        if (_stagingImages is not null && _stagingImages.shape[0] >= rows)
            return;
        _stagingImages?.Dispose();
        _stagingLabels?.Dispose();
        var type = Storage == ImageRecordStorage.Bytes ? ScalarType.Byte : ScalarType.Float32;
        _stagingImages = empty([rows, Shape.Channels, Shape.Height, Shape.Width], type).DetachFromDisposeScope();
        _stagingLabels = empty([rows], ScalarType.Int64).DetachFromDisposeScope();
    }
}
