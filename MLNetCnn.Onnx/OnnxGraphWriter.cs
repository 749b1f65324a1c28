using Google.Protobuf;
using MLNetCnn.Export;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Onnx;

/// <summary>Collects the graph <see cref="GraphBuilder"/> makes into an ONNX <see cref="GraphProto"/>.</summary>
internal sealed class OnnxGraphWriter : IGraphWriter
{
    /// <summary>The symbolic names of free dimensions of an image tensor.</summary>
    private static readonly string[] ImageDimensions = ["batch", "channels", "height", "width"];

    /// <summary>The graph written so far.</summary>
    public GraphProto Graph { get; } = new();

    public void AddInput(string name, IReadOnlyList<long> sampleShape, string description) =>
        Graph.Input.Add(FloatValue(name, sampleShape, description));

    public void AddOutput(string name, IReadOnlyList<long> sampleShape, string description) =>
        Graph.Output.Add(FloatValue(name, sampleShape, description));

    public void AddNode(string name, string opType, IReadOnlyList<string> inputs, string output, IReadOnlyList<GraphAttribute> attributes)
    {
        var node = new NodeProto { Name = name, OpType = opType, Input = { inputs }, Output = { output } };
        node.Attribute.AddRange(attributes.Select(Attribute));
        Graph.Node.Add(node);
    }

    public void AddInitializer(string name, Tensor value)
    {
        var dataType = value.dtype switch
        {
            ScalarType.Float32 => TensorProto.Types.DataType.Float,
            ScalarType.Int64 => TensorProto.Types.DataType.Int64,
            _ => throw new NotSupportedException($"Tensor '{name}' has type {value.dtype}; the ONNX export writes float32 and int64 tensors."),
        };
        using var contiguous = value.detach().cpu().contiguous();
        // ONNX's raw data is little-endian, as the tensor's bytes are on the platforms TorchSharp runs on.
        Graph.Initializer.Add(new TensorProto
        {
            Name = name,
            DataType = (int)dataType,
            Dims = { contiguous.shape },
            RawData = ByteString.CopyFrom(contiguous.bytes),
        });
    }

    private static ValueInfoProto FloatValue(string name, IReadOnlyList<long> sampleShape, string description)
    {
        long[] sizes = [-1, .. sampleShape];
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(sizes.Select((size, i) => size >= 0
            ? new TensorShapeProto.Types.Dimension { DimValue = size }
            : new TensorShapeProto.Types.Dimension { DimParam = sizes.Length == ImageDimensions.Length ? ImageDimensions[i] : i == 0 ? "batch" : $"dim{i}" }));
        return new ValueInfoProto
        {
            Name = name,
            DocString = description,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static AttributeProto Attribute(GraphAttribute attribute)
    {
        var proto = new AttributeProto { Name = attribute.Name };
        switch (attribute.Value)
        {
            case long value:
                proto.Type = AttributeProto.Types.AttributeType.Int;
                proto.I = value;
                break;
            case float value:
                proto.Type = AttributeProto.Types.AttributeType.Float;
                proto.F = value;
                break;
            case string value:
                proto.Type = AttributeProto.Types.AttributeType.String;
                proto.S = ByteString.CopyFromUtf8(value);
                break;
            case long[] values:
                proto.Type = AttributeProto.Types.AttributeType.Ints;
                proto.Ints.AddRange(values);
                break;
            default:
                throw new ArgumentException($"Attribute '{attribute.Name}' has a value of type {attribute.Value.GetType().Name}, which ONNX attributes here do not take.");
        }
        return proto;
    }
}
