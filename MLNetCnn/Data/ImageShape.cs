namespace MLNetCnn.Data;

/// <summary>The channels x height x width geometry of one image, as a CNN sees it (CHW order).</summary>
/// <param name="Channels">Number of colour channels: 1 for grey, 3 for RGB.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Number of values in one image: <c>Channels * Height * Width</c>.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>Throws when any dimension is not positive.</summary>
    /// <param name="what">Names the shape in the error, for example an option or a column.</param>
    public ImageShape Validate(string what)
    {
        if (Channels <= 0 || Height <= 0 || Width <= 0)
            throw new ArgumentException($"{what}: image shape {this} must have positive channels, height and width.");
        return this;
    }

    /// <summary>Formats the shape as <c>CxHxW</c>.</summary>
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}
