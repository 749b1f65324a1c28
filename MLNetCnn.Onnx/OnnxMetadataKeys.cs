namespace MLNetCnn.Onnx;

/// <summary>
/// The keys of the metadata (ONNX <c>metadata_props</c>) of an exported model, which ONNX Runtime reads as
/// <c>InferenceSession.ModelMetadata.CustomMetadataMap</c>. Lists are JSON arrays.
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>The architecture's registered name, for example <c>lenet5</c>.</summary>
    public const string Architecture = "architecture";

    /// <summary>The class names in the order of the output's probabilities, a JSON array of strings.</summary>
    public const string ClassNames = "class_names";

    /// <summary>
    /// The shape of the images the network takes, a JSON array [channels, height, width]; the batch dimension comes first
    /// and is free. With ten-crop test-time augmentation the input images may be larger.
    /// </summary>
    public const string InputShape = "input_shape";

    /// <summary>The per-channel mean the graph subtracts from the raw pixels, a JSON array.</summary>
    public const string NormalizationMean = "normalization_mean";

    /// <summary>The per-channel standard deviation the graph then divides by, a JSON array.</summary>
    public const string NormalizationStd = "normalization_std";

    /// <summary>The test-time augmentation whose views the graph averages: <c>None</c>, <c>HorizontalFlip</c> or <c>TenCrop</c>.</summary>
    public const string TestTimeAugmentation = "test_time_augmentation";
}
