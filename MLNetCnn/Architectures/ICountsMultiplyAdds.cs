namespace MLNetCnn.Architectures;

/// <summary>
/// A layer that tells <see cref="ModelSummary"/> how many multiply-adds it does, for layers whose cost the
/// summary cannot infer from their type (it knows convolutions and fully connected layers).
/// </summary>
public interface ICountsMultiplyAdds
{
    /// <summary>The multiply-adds of one forward pass on one image.</summary>
    /// <param name="inputShape">The layer's input shape, batch dimension (1) first.</param>
    /// <param name="outputShape">The layer's output shape, batch dimension (1) first.</param>
    long MultiplyAdds(IReadOnlyList<long> inputShape, IReadOnlyList<long> outputShape);
}
