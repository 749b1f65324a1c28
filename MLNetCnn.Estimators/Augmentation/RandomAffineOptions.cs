namespace MLNetCnn.Estimators;

/// <summary>Options of <c>mlContext.Transforms.RandomAffine</c>: random rotation, translation, scale and shear.</summary>
public sealed class RandomAffineOptions : RandomImageOperationOptions
{
    /// <summary>Largest rotation either way, in degrees (0 to 180).</summary>
    public double Degrees;

    /// <summary>Largest shift either way, as a fraction of the width (horizontally) and height (vertically), 0 to 1.</summary>
    public double Translate;

    /// <summary>Smallest zoom factor.</summary>
    public double MinScale = 1;

    /// <summary>Largest zoom factor.</summary>
    public double MaxScale = 1;

    /// <summary>Largest horizontal shear either way, in degrees (0 to 89).</summary>
    public double Shear;
}
