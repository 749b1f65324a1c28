namespace MLNetCnn.Estimators;

/// <summary>Options of <c>mlContext.Transforms.RandomHorizontalFlip</c> and <c>RandomVerticalFlip</c>.</summary>
public sealed class RandomFlipOptions : RandomImageOperationOptions
{
    /// <summary>The chance that an image is mirrored.</summary>
    public double Probability = 0.5;
}
