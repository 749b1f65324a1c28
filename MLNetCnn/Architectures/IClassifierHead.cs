namespace MLNetCnn.Architectures;

/// <summary>
/// A network that names its classifier head: the layers that turn features into class scores. Transfer learning
/// replaces them when weights trained for other classes are loaded (<see cref="CnnModel.FromPretrained"/>) and trains
/// them while the rest, the backbone, is frozen. Every network of the model zoo implements it; implement it in a
/// registered network to fine-tune it from pretrained weights.
/// </summary>
public interface IClassifierHead
{
    /// <summary>The dotted names of the head's layers (for example <c>fc</c>, or <c>classifier.6</c>), as in
    /// <c>named_modules()</c>.</summary>
    IReadOnlyList<string> HeadLayers { get; }
}
