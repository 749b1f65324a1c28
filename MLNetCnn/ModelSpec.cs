using MLNetCnn.Data;

namespace MLNetCnn;

/// <summary>What a network is built for: its input geometry, its number of classes and family options.</summary>
/// <param name="Input">The shape of one input image.</param>
/// <param name="ClassCount">Number of output classes (logits).</param>
public sealed record ModelSpec(ImageShape Input, int ClassCount)
{
    /// <summary>
    /// Family-specific options by name (for example a width multiplier); names are case-insensitive and a
    /// family reads only those it documents.
    /// </summary>
    public IReadOnlyDictionary<string, double> Options { get; init; } = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The value of family option <paramref name="name"/>, or <paramref name="defaultValue"/> when not set.</summary>
    public double Option(string name, double defaultValue) =>
        Options.TryGetValue(name, out var value) ? value : defaultValue;

    /// <summary>Throws when the shape or class count cannot describe a classifier.</summary>
    public ModelSpec Validate()
    {
        Input.Validate("model input");
        if (ClassCount < 2)
            throw new ArgumentException($"A classifier needs at least 2 classes; the spec asks for {ClassCount}.");
        return this;
    }
}
