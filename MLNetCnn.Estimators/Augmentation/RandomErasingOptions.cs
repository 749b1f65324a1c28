namespace MLNetCnn.Estimators;

/// <summary>Options of <c>mlContext.Transforms.RandomErasing</c>: a random rectangle filled in, with some probability.</summary>
public sealed class RandomErasingOptions : RandomImageOperationOptions
{
    /// <summary>The chance that an image gets a rectangle erased.</summary>
    public double Probability = 0.5;

    /// <summary>Smallest fraction of the image's area erased.</summary>
    public double MinScale = 0.02;

    /// <summary>Largest fraction of the image's area erased.</summary>
    public double MaxScale = 0.33;

    /// <summary>Smallest aspect ratio (width / height) of the rectangle.</summary>
    public double MinRatio = 0.3;

    /// <summary>Largest aspect ratio (width / height) of the rectangle.</summary>
    public double MaxRatio = 3.3;

    /// <summary>The value written into the rectangle.</summary>
    public float FillValue;

    /// <summary>Fill the rectangle with random values between the image's smallest and largest value instead of <see
    /// cref="FillValue"/>.</summary>
    public bool RandomFill;
}
