namespace MLNetCnn.Export;

/// <summary>An attribute of a graph operator: a name and a whole number, a float, a string or a list of whole numbers.</summary>
/// <param name="Name">The attribute's name in the operator's schema, for example <c>kernel_shape</c>.</param>
/// <param name="Value">A <see cref="long"/>, <see cref="float"/>, <see cref="string"/> or <see cref="long"/> array.</param>
internal sealed record GraphAttribute(string Name, object Value)
{
    /// <summary>A whole-number attribute.</summary>
    public static GraphAttribute Int(string name, long value) => new(name, value);

    /// <summary>A list of whole numbers.</summary>
    public static GraphAttribute Ints(string name, IEnumerable<long> values) => new(name, values.ToArray());

    /// <summary>A float attribute (stored as single precision, as ONNX keeps them).</summary>
    public static GraphAttribute Float(string name, double value) => new(name, (float)value);

    /// <summary>A string attribute.</summary>
    public static GraphAttribute String(string name, string value) => new(name, value);
}
