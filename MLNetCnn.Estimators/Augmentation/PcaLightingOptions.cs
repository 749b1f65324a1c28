namespace MLNetCnn.Estimators;

/// <summary>Options of <c>mlContext.Transforms.PcaLighting</c>: AlexNet's colour noise along the principal components of the pixels'
/// colours.</summary>
public sealed class PcaLightingOptions : RandomImageOperationOptions
{
    /// <summary>Spread of the random weight of each component (AlexNet: 0.1).</summary>
    public double StandardDeviation = 0.1;

    /// <summary>
    /// The pixels' standard deviation along each of the three components; with <see cref="Components"/>, null
    /// fits both to the training data's RGB covariance when the stage is fitted.
    /// </summary>
    public float[]? ComponentScales;

    /// <summary>The three unit components, one after another, each as (R, G, B); null fits them to the data.</summary>
    public float[]? Components;
}
