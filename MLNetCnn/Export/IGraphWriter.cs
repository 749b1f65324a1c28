using static TorchSharp.torch;

namespace MLNetCnn.Export;

/// <summary>
/// Receives the graph <see cref="GraphBuilder"/> makes of a network: float tensor inputs and outputs whose first
/// dimension is the batch (of any size), operator nodes of the standard ONNX domain, and constant tensors. The ONNX
/// writer lives in MLNetCnn.Onnx, so that this library needs no protobuf.
/// </summary>
internal interface IGraphWriter
{
    /// <summary>Declares a float input of shape (batch, <paramref name="sampleShape"/>...); a size of -1 leaves that dimension
    /// free.</summary>
    void AddInput(string name, IReadOnlyList<long> sampleShape, string description);

    /// <summary>Declares a float output of shape (batch, <paramref name="sampleShape"/>...).</summary>
    void AddOutput(string name, IReadOnlyList<long> sampleShape, string description);

    /// <summary>Adds an operator; an empty input name stands for an optional input left out.</summary>
    void AddNode(string name, string opType, IReadOnlyList<string> inputs, string output, IReadOnlyList<GraphAttribute> attributes);

    /// <summary>Adds a constant tensor (float32 or int64), copying its values.</summary>
    void AddInitializer(string name, Tensor value);
}
