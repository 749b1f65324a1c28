using System.Security.Cryptography;

namespace MLNetCnn.IO;

/// <summary>
/// Passes reads or writes through to another stream, one way only, and hashes every byte that goes through with
/// SHA-256, so a file section can end with its digest and be checked when read back.
/// </summary>
internal sealed class HashingStream(Stream inner, bool writing) : Stream
{
    /// <summary>The length of <see cref="Digest"/> in bytes.</summary>
    public const int DigestLength = 32;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <inheritdoc/>
    public override bool CanRead => !writing;

    /// <inheritdoc/>
    public override bool CanWrite => writing;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>The SHA-256 of every byte passed since it was made or last asked for.</summary>
    public byte[] Digest() => _hash.GetHashAndReset();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (writing)
            throw new NotSupportedException();
        int read = inner.Read(buffer);
        _hash.AppendData(buffer[..read]);
        return read;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!writing)
            throw new NotSupportedException();
        inner.Write(buffer);
        _hash.AppendData(buffer);
    }

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _hash.Dispose();
        base.Dispose(disposing);
    }
}
