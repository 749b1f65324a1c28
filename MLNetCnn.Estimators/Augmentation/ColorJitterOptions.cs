namespace MLNetCnn.Estimators;

/// <summary>
/// Options of <c>mlContext.Transforms.ColorJitter</c>: each factor is uniform in [max(0, 1 - amount), 1 + amount],
/// and 0 leaves that property alone.
/// </summary>
public sealed class ColorJitterOptions : RandomImageOperationOptions
{
    /// <summary>How far the brightness factor strays from 1.</summary>
    public double Brightness;

    /// <summary>How far the contrast factor strays from 1.</summary>
    public double Contrast;

    /// <summary>How far the saturation factor strays from 1 (RGB images only; others are left alone).</summary>
    public double Saturation;
}
