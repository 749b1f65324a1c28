namespace MLNetCnn.Estimators;

/// <summary>
/// Options of <c>mlContext.Transforms.NormalizeChannels</c>: the deterministic per-channel standardisation
/// <c>(x - mean) / std</c>. It is part of the model (append it normally, not as training-only), and it always
/// writes a CHW vector of <see cref="float"/>, also for an image input.
/// </summary>
public sealed class NormalizeChannelsOptions : ImageOperationOptions
{
    /// <summary>One mean per channel; with <see cref="Std"/>, null fits both to the training data when the stage is fitted.</summary>
    public float[]? Mean;

    /// <summary>One positive standard deviation per channel; null fits it to the data, with <see cref="Mean"/>.</summary>
    public float[]? Std;
}
