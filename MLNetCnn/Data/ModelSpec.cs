using MLNetCnn.Data;

namespace MLNetCnn.Data;

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

    /// <summary>
    /// The value of family option <paramref name="name"/>, or <paramref name="defaultValue"/> when not set,
    /// checked to lie in [<paramref name="minimum"/>, <paramref name="maximum"/>].
    /// </summary>
    /// <param name="architecture">Names the architecture in the error.</param>
    /// <param name="name">The option's name.</param>
    /// <param name="defaultValue">The value when the option is not set.</param>
    /// <param name="minimum">The smallest valid value.</param>
    /// <param name="maximum">The largest valid value.</param>
    /// <exception cref="ArgumentException">The value is outside the range or not a number.</exception>
    public double Option(string architecture, string name, double defaultValue, double minimum, double maximum)
    {
        double value = Option(name, defaultValue);
        if (!(value >= minimum && value <= maximum))
            throw new ArgumentException($"Option '{name}' of {architecture} is {value}; it must be in [{minimum}, {maximum}].");
        return value;
    }

    /// <summary>
    /// The value of a whole-number family option, or <paramref name="defaultValue"/> when not set, checked to lie
    /// in [<paramref name="minimum"/>, <paramref name="maximum"/>].
    /// </summary>
    /// <param name="architecture">Names the architecture in the error.</param>
    /// <param name="name">The option's name.</param>
    /// <param name="defaultValue">The value when the option is not set.</param>
    /// <param name="minimum">The smallest valid value.</param>
    /// <param name="maximum">The largest valid value.</param>
    /// <exception cref="ArgumentException">The value is outside the range or not a whole number.</exception>
    public int IntegerOption(string architecture, string name, int defaultValue, int minimum, int maximum)
    {
        double value = Option(architecture, name, defaultValue, minimum, maximum);
        if (value != Math.Floor(value))
            throw new ArgumentException($"Option '{name}' of {architecture} is {value}; it must be a whole number.");
        return (int)value;
    }

    /// <summary>Throws when <see cref="Options"/> holds a name the architecture does not read, such as a misspelt one.</summary>
    /// <param name="architecture">Names the architecture in the error.</param>
    /// <param name="known">The options the architecture reads.</param>
    public void CheckOptions(string architecture, params string[] known)
    {
        var unknown = Options.Keys.Where(name => !known.Contains(name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"{architecture} has no option {string.Join(", ", unknown.Select(n => $"'{n}'"))}; " +
                (known.Length == 0 ? "it takes none." : $"it takes: {string.Join(", ", known)}."));
    }

    /// <summary>Throws when the input is smaller than an architecture can shrink through its layers.</summary>
    /// <param name="architecture">Names the architecture in the error.</param>
    /// <param name="minimumSide">The smallest height and width the architecture accepts.</param>
    public void RequireMinimumSize(string architecture, int minimumSide)
    {
        if (Input.Height < minimumSide || Input.Width < minimumSide)
            throw new ArgumentException($"{architecture} needs images of at least {minimumSide}x{minimumSide} pixels; the input is {Input}.");
    }

    /// <summary>Throws when the shape or class count cannot describe a classifier.</summary>
    public ModelSpec Validate()
    {
        Input.Validate("model input");
        if (ClassCount < 2)
            throw new ArgumentException($"A classifier needs at least 2 classes; the spec asks for {ClassCount}.");
        return this;
    }
}
