namespace MLNetCnn.Visualization;

/// <summary>
/// Names the formatter source through which Polyglot (.NET Interactive) notebooks display a type. .NET Interactive finds
/// this attribute by its name and its <see cref="FormatterSourceType"/> and <see cref="PreferredMimeTypes"/> properties, so
/// the library shows its pictures in notebooks without referencing the .NET Interactive packages.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    /// <summary>A type with a public parameterless constructor and a public <c>CreateTypeFormatters()</c> method.</summary>
    public Type FormatterSourceType { get; } = formatterSourceType;

    /// <summary>The MIME types the notebook should prefer for the type.</summary>
    public string[]? PreferredMimeTypes { get; set; }
}
