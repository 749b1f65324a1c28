namespace MLNetCnn.Estimators;

/// <summary>Options of <c>mlContext.Transforms.RandomCrop</c>: a fixed-size crop at a random place after zero padding.</summary>
public sealed class RandomCropOptions : RandomImageOperationOptions
{
    /// <summary>Height of the crop.</summary>
    public int Height;

    /// <summary>Width of the crop.</summary>
    public int Width;

    /// <summary>Zeros added on each side before cropping (the CIFAR recipe: 4, with 32x32 crops of 32x32 images).</summary>
    public int Padding;
}
