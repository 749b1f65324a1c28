namespace MLNetCnn.Estimators;

/// <summary>Options of <c>mlContext.Transforms.RandomResizedCrop</c>: a random region resized to a fixed size.</summary>
public sealed class RandomResizedCropOptions : RandomImageOperationOptions
{
    /// <summary>Height of the result.</summary>
    public int Height;

    /// <summary>Width of the result.</summary>
    public int Width;

    /// <summary>Smallest fraction of the image's area a region covers.</summary>
    public double MinScale = 0.08;

    /// <summary>Largest fraction of the image's area a region covers.</summary>
    public double MaxScale = 1.0;

    /// <summary>Smallest aspect ratio (width / height) of a region.</summary>
    public double MinRatio = 3.0 / 4;

    /// <summary>Largest aspect ratio (width / height) of a region.</summary>
    public double MaxRatio = 4.0 / 3;
}
