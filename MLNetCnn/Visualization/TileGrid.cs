namespace MLNetCnn.Visualization;

/// <summary>
/// The layout shared by the grid pictures (<see cref="KernelGrid"/>, <see cref="FeatureMapGrid"/>): equal tiles on a white
/// background in a near-square grid, row by row, each value of a tile drawn as a square block.
/// </summary>
internal sealed class TileGrid
{
    private const int TargetTileSize = 40;
    private static readonly (byte, byte, byte) Background = (255, 255, 255);

    private readonly int _columns;
    private readonly int _gap;
    private readonly int _tileWidth;
    private readonly int _tileHeight;

    /// <param name="tiles">How many tiles.</param>
    /// <param name="height">The values down one tile.</param>
    /// <param name="width">The values across one tile.</param>
    /// <param name="pixelsPerValue">The side of one value's block; 0 picks one so tiles are about 40 pixels.</param>
    public TileGrid(int tiles, int height, int width, int pixelsPerValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pixelsPerValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(tiles, 1);
        Scale = pixelsPerValue > 0 ? pixelsPerValue : Math.Max(1, (int)Math.Round((double)TargetTileSize / Math.Max(height, width)));
        _gap = Math.Max(2, Scale / 2);
        _columns = (int)Math.Ceiling(Math.Sqrt(tiles));
        int rows = (tiles + _columns - 1) / _columns;
        _tileWidth = width * Scale;
        _tileHeight = height * Scale;
        Image = new RgbImage(_gap + _columns * (_tileWidth + _gap), _gap + rows * (_tileHeight + _gap), Background);
    }

    /// <summary>The side of one value's block in pixels.</summary>
    public int Scale { get; }

    /// <summary>The picture drawn so far.</summary>
    public RgbImage Image { get; }

    /// <summary>Draws value (<paramref name="x"/>, <paramref name="y"/>) of a tile as a block of one colour.</summary>
    public void Set(int tile, int x, int y, byte red, byte green, byte blue)
    {
        int left = _gap + tile % _columns * (_tileWidth + _gap) + x * Scale;
        int top = _gap + tile / _columns * (_tileHeight + _gap) + y * Scale;
        for (int dy = 0; dy < Scale; dy++)
        {
            for (int dx = 0; dx < Scale; dx++)
                Image.Set(left + dx, top + dy, red, green, blue);
        }
    }

    /// <summary>A value's grey level when <paramref name="min"/> is black and <paramref name="max"/> white (mid-grey when they are equal).</summary>
    public static byte Level(float value, float min, float max) =>
        max > min ? (byte)Math.Round(255 * (value - min) / (max - min)) : (byte)128;

    /// <summary>The lowest and highest of <paramref name="values"/>.</summary>
    public static (float Min, float Max) Range(ReadOnlySpan<float> values)
    {
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max);
    }
}
