using System.Security.Cryptography;
using MLNetCnn.IO;

namespace MLNetCnn.Training;

/// <summary>
/// The checkpoint file of a run in a folder, replaced atomically at every save. The file ends with the SHA-256 of
/// everything before it, checked before anything in it is trusted, so a damaged checkpoint is refused, not resumed.
/// </summary>
internal sealed class CheckpointStore(string folder)
{
    /// <summary>The name of the checkpoint file in its folder.</summary>
    public const string FileName = "checkpoint.bin";

    public string FilePath { get; } = Path.Combine(Path.GetFullPath(folder), FileName);

    public bool Exists => File.Exists(FilePath);

    public void Save(TrainingCheckpoint checkpoint) => AtomicFile.Write(FilePath, stream =>
    {
        using var hashing = new HashingStream(stream, writing: true);
        checkpoint.Write(hashing);
        stream.Write(hashing.Digest());
    });

    /// <exception cref="InvalidDataException">The file is not a checkpoint, or is damaged.</exception>
    public TrainingCheckpoint Read()
    {
        using var stream = File.OpenRead(FilePath);
        long contentLength = stream.Length - HashingStream.DigestLength;
        if (contentLength <= 0 || !SHA256.HashData(new BoundedStream(stream, contentLength)).AsSpan().SequenceEqual(StoredDigest(stream)))
        {
            throw new InvalidDataException($"The checkpoint {FilePath} is damaged (its SHA-256 does not match its content, or it was written " +
                "without one): delete it to train from the start, or use another checkpoint folder.");
        }
        stream.Position = 0;
        return TrainingCheckpoint.Read(stream, FilePath);
    }

    private static byte[] StoredDigest(Stream stream)
    {
        var digest = new byte[HashingStream.DigestLength];
        stream.Position = stream.Length - digest.Length;
        stream.ReadExactly(digest);
        return digest;
    }

    /// <summary>Throws when <paramref name="checkpoint"/> was written by a run whose settings differ from <paramref name="run"/>.</summary>
    public void EnsureSameRun(TrainingCheckpoint checkpoint, IReadOnlyDictionary<string, string> run)
    {
        var differences = run
            .Select(setting => (setting.Key, Here: setting.Value, There: checkpoint.Run.GetValueOrDefault(setting.Key, "(none)")))
            .Where(setting => setting.Here != setting.There)
            .Select(setting => $"{setting.Key} {setting.There} there, {setting.Here} here")
            .ToList();
        if (differences.Count > 0)
        {
            throw new InvalidDataException($"The checkpoint {FilePath} belongs to a run with other settings ({string.Join("; ", differences)}). " +
                "Resume with the same data and options, or use another checkpoint folder.");
        }
    }
}

/// <summary>Reads the first <paramref name="length"/> bytes of a stream from its start.</summary>
internal sealed class BoundedStream(Stream inner, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position == 0)
            inner.Position = 0;
        int read = inner.Read(buffer[..(int)Math.Min(buffer.Length, length - _position)]);
        _position += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
