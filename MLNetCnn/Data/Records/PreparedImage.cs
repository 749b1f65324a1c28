namespace MLNetCnn.Data;

/// <summary>
/// One image made ready for <see cref="ImageRecordWriter.Add(PreparedImage, int)"/> on any thread: its values checked
/// for whole numbers in 0..255 and encoded as bytes, and its share of the pixel statistics summed. The writer then only
/// copies, so images can be decoded and prepared by several workers while one thread writes them in order.
/// </summary>
public sealed class PreparedImage
{
    private readonly byte[] _bytes;
    private readonly double[] _sums;
    private readonly double[] _products;

    /// <summary>A buffer for images of <paramref name="shape"/>.</summary>
    public PreparedImage(ImageShape shape)
    {
        shape.Validate("prepared image");
        Shape = shape;
        Values = new float[shape.Size];
        _bytes = new byte[shape.Size];
        _sums = new double[shape.Channels];
        _products = new double[shape.Channels * shape.Channels];
    }

    /// <summary>The shape of the image.</summary>
    public ImageShape Shape { get; }

    /// <summary>The CHW values: fill them, then call <see cref="Prepare"/>.</summary>
    public float[] Values { get; }

    /// <summary>Whether every value is a whole number in 0..255 (as of the last <see cref="Prepare"/>).</summary>
    public bool AreBytes { get; private set; }

    internal ReadOnlySpan<byte> Bytes => _bytes;

    internal ReadOnlySpan<double> Sums => _sums;

    internal ReadOnlySpan<double> Products => _products;

    /// <summary>Checks and encodes <see cref="Values"/> and sums their statistics; their values must be finite.</summary>
    public void Prepare()
    {
        AreBytes = true;
        var values = Values;
        for (int i = 0; i < values.Length; i++)
        {
            float value = values[i];
            if (value is < 0 or > 255 || value != MathF.Floor(value))
            {
                AreBytes = false;
                break;
            }
            _bytes[i] = (byte)value;
        }
        PixelStatistics.Summarise(values, Shape, _sums, _products);
    }
}
