using MLNetCnn.Augmentation;

namespace MLNetCnn.Onnx;

/// <summary>How <see cref="OnnxExport"/> names the graph's input and output, labels its classes and which views it averages.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The name of the input: a float tensor of raw pixels, (batch, channels, height, width).</summary>
    public string InputName { get; init; } = "image";

    /// <summary>The name of the output: a float tensor of class probabilities, (batch, classes).</summary>
    public string OutputName { get; init; } = "probabilities";

    /// <summary>The class names in class order, recorded in the model's metadata; the class indices when null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>
    /// The views whose probabilities the graph averages, as <see cref="TestTimeAugmenter"/> scores them: none, the mirror
    /// image too, or ten crops, for which the input takes images of any height and width at least the network's.
    /// </summary>
    public TestTimeAugmentation TestTimeAugmentation { get; init; } = TestTimeAugmentation.None;
}
