using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Export;

/// <summary>
/// Turns a model's network into a graph of standard ONNX operators (opset <see cref="OpsetVersion"/>) for an
/// <see cref="IGraphWriter"/>: the per-channel input normalisation, the views of a test-time augmentation, the network in
/// evaluation mode and a softmax (averaged over the views), so the graph takes raw pixels and gives class probabilities.
/// Each layer is exported where its type is described: plain TorchSharp layers in <see cref="LayerExporters"/>, the
/// library's networks and blocks through <see cref="IExportableModule"/>. Values, nodes and constants are named after the
/// layers (as in the state dictionary).
/// </summary>
internal sealed class GraphBuilder
{
    /// <summary>The version of the standard ONNX operator set the graph uses (ONNX 1.12).</summary>
    public const int OpsetVersion = 17;

    private readonly IGraphWriter _writer;
    private readonly string _architecture;
    private readonly Dictionary<nn.Module, string> _paths = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<nn.Module, long[]> _inputShapes = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly HashSet<string> _parameters = new(StringComparer.Ordinal);
    private string _scope = "";

    private GraphBuilder(nn.Module network, string architecture, IGraphWriter writer)
    {
        _writer = writer;
        _architecture = architecture;
        _paths[network] = "";
        foreach (var (name, module) in network.named_modules())
            _paths.TryAdd(module, name);
    }

    /// <summary>
    /// Writes the graph of a model's <paramref name="network"/>: input <paramref name="inputName"/> of raw (N, C, H, W)
    /// pixels, standardised by <paramref name="normalization"/>, output <paramref name="outputName"/> of (N, classes)
    /// probabilities, the mean over the views of <paramref name="testTimeAugmentation"/> as the engine's test-time augmenter
    /// scores them. The network runs once in evaluation mode on a blank image on <paramref name="device"/> to learn its
    /// layers' input shapes, and is returned to the mode it was in. Takes the model's parts rather than the model, so
    /// export sits below the model in the engine's layers.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form; the message names it.</exception>
    public static void Build(nn.Module<Tensor, Tensor> network, string architecture, ModelSpec spec, InputNormalization normalization,
        Device device, IGraphWriter writer, string inputName, string outputName, TestTimeAugmentation testTimeAugmentation)
    {
        if (!Enum.IsDefined(testTimeAugmentation))
            throw new ArgumentOutOfRangeException(nameof(testTimeAugmentation), testTimeAugmentation, "Unknown test-time augmentation.");
        ArgumentException.ThrowIfNullOrWhiteSpace(inputName);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputName);
        if (inputName == outputName)
            throw new ArgumentException($"The input and the output of the graph need different names; both are '{inputName}'.");
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var graph = new GraphBuilder(network, architecture, writer);
            var input = spec.Input;
            graph.RecordInputShapes(network, input, device);
            graph._names.Add(inputName);
            graph._names.Add(outputName);
            string imageSize = testTimeAugmentation == TestTimeAugmentation.TenCrop ? $"height >= {input.Height}, width >= {input.Width}" : $"{input.Height}, {input.Width}";
            writer.AddInput(inputName, TestTimeAugmentationGraph.InputShape(testTimeAugmentation, input),
                $"Images as (batch, {input.Channels}, {imageSize}) floats in CHW order, on the scale the model was trained on (for example 0-255 pixels); the graph standardises them.");

            long[] perChannel = [1, input.Channels, 1, 1];
            string mean = graph.Constant("normalization.mean", tensor(normalization.Mean).view(perChannel));
            string std = graph.Constant("normalization.std", tensor(normalization.Std).view(perChannel));
            string normalized = graph.Node("Div", [graph.Node("Sub", [inputName, mean]), std]);
            var views = TestTimeAugmentationGraph.Views(graph, normalized, testTimeAugmentation, input);
            string logits = graph.Call(network, TestTimeAugmentationGraph.Stack(graph, views));
            string probabilities = graph.Node("Softmax", [logits], [GraphAttribute.Int("axis", 1)], output: views.Count == 1 ? outputName : null);
            if (views.Count > 1)
                TestTimeAugmentationGraph.Average(graph, probabilities, views.Count, spec.ClassCount, outputName);
            writer.AddOutput(outputName, [spec.ClassCount], $"Class probabilities as (batch, {spec.ClassCount}) floats.");
        }
        finally
        {
            network.train(wasTraining);
        }
    }

    /// <summary>Adds a child layer's forward pass on <paramref name="input"/>; returns the name of its output.</summary>
    /// <summary>
    /// The convolutions whose output only a batch norm reads, with that batch norm, from the network's ONNX description; null when
    /// the network has none (see <see cref="BatchNormFolding"/>).
    /// </summary>
    internal static IReadOnlyList<(Conv2d Convolution, BatchNorm Norm)>? ConvolutionsIntoBatchNorm(nn.Module<Tensor, Tensor> network, string architecture,
        ImageShape input, Device device)
    {
        const string InputName = "input";
        var recorder = new RecordingWriter();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var graph = new GraphBuilder(network, architecture, recorder);
        graph.RecordInputShapes(network, input, device);
        graph._names.Add(InputName);
        try
        {
            graph.Call(network, InputName);
        }
        catch (NotSupportedException)
        {
            return null;
        }
        var modules = network.named_modules().ToDictionary(m => m.name, m => m.module);
        var readers = recorder.Nodes.SelectMany(n => n.Inputs).CountBy(name => name).ToDictionary();
        var convolutions = recorder.Nodes.Where(n => n.OpType == "Conv").ToDictionary(n => n.Output);
        var uses = recorder.Nodes.Select(n => n.Inputs.Count > 1 ? n.Inputs[1] : "").CountBy(name => name).ToDictionary();
        var pairs = new List<(Conv2d, BatchNorm)>();
        foreach (var node in recorder.Nodes.Where(n => n.OpType == "BatchNormalization"))
        {
            if (!convolutions.TryGetValue(node.Inputs[0], out var producer) || readers[producer.Output] != 1)
                continue;
            // Layers called more than once (shared weights) are left as they are.
            if (uses[producer.Inputs[1]] != 1 || uses[node.Inputs[1]] != 1)
                continue;
            if (modules.GetValueOrDefault(ModulePath(producer.Inputs[1])) is Conv2d convolution
                && modules.GetValueOrDefault(ModulePath(node.Inputs[3])) is BatchNorm norm && convolution.out_channels == norm.num_features)
            {
                pairs.Add((convolution, norm));
            }
        }
        return pairs;
    }

    private static string ModulePath(string parameter) => parameter.Contains('.') ? parameter[..parameter.LastIndexOf('.')] : "";

    public string Call(nn.Module module, string input)
    {
        if (!_paths.TryGetValue(module, out var path))
            throw new InvalidOperationException($"A {module.GetType().Name} that is not part of the '{_architecture}' network was exported.");
        string outer = _scope;
        _scope = path;
        try
        {
            return module is IExportableModule exportable ? exportable.Export(this, input) : LayerExporters.Export(this, module, input);
        }
        finally
        {
            _scope = outer;
        }
    }

    /// <summary>Calls <paramref name="layers"/> one after another.</summary>
    public string Sequence(string input, params nn.Module[] layers) => layers.Aggregate(input, (value, layer) => Call(layer, value));

    /// <summary>Adds an operator of the standard domain with one output, named after the current layer unless <paramref name="output"/> is given.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<GraphAttribute>? attributes = null, string? output = null)
    {
        string name = Unique(_scope.Length == 0 ? opType : $"{_scope}/{opType}");
        output ??= name;
        _writer.AddNode(name, opType, inputs, output, attributes ?? []);
        return output;
    }

    /// <summary>Adds a parameter or buffer of <paramref name="owner"/> as a constant named as in the state dictionary (once, however often the layer runs).</summary>
    public string Parameter(nn.Module owner, string name, Tensor value)
    {
        string path = _paths[owner];
        string fullName = path.Length == 0 ? name : $"{path}.{name}";
        if (_parameters.Add(fullName))
        {
            _names.Add(fullName);
            _writer.AddInitializer(fullName, value);
        }
        return fullName;
    }

    /// <summary>Adds a constant tensor named after the current layer.</summary>
    public string Constant(string name, Tensor value)
    {
        string fullName = Unique(_scope.Length == 0 ? name : $"{_scope}.{name}");
        _writer.AddInitializer(fullName, value);
        return fullName;
    }

    /// <summary>Adds a constant list of whole numbers (axes, indices, shapes).</summary>
    public string Constant(string name, long[] values) => Constant(name, tensor(values));

    /// <summary>Adds a scalar float constant.</summary>
    public string Constant(string name, double value) => Constant(name, tensor((float)value));

    /// <summary>ReLU.</summary>
    public string Relu(string input) => Node("Relu", [input]);

    /// <summary>Element-wise sum, as residual connections add.</summary>
    public string Add(string left, string right) => Node("Add", [left, right]);

    /// <summary>Concatenation along the channels.</summary>
    public string ConcatChannels(params string[] inputs) => Node("Concat", inputs, [GraphAttribute.Int("axis", 1)]);

    /// <summary>Flattens (N, ...) to (N, rest), as <c>tensor.flatten(1)</c>.</summary>
    public string Flatten(string input) => Node("Flatten", [input], [GraphAttribute.Int("axis", 1)]);

    /// <summary>Multiplies by a constant.</summary>
    public string Scale(string input, double factor) => Node("Mul", [input, Constant("factor", factor)]);

    /// <summary>The shape (with a batch of one) of the input the layer received in the evaluation-mode forward pass.</summary>
    public long[] InputShape(nn.Module layer) =>
        _inputShapes.TryGetValue(layer, out var shape) ? shape : throw Unsupported(layer, "does not run in evaluation mode, so its input shape is unknown");

    /// <summary>The error for a layer that cannot be exported, naming the architecture, the layer and its type.</summary>
    public NotSupportedException Unsupported(nn.Module layer, string reason)
    {
        string path = _paths.TryGetValue(layer, out var p) && p.Length > 0 ? $"layer '{p}'" : "the network module";
        return new NotSupportedException($"The '{_architecture}' network cannot be exported to ONNX: {path} ({layer.GetType().Name}) {reason}.");
    }

    private void RecordInputShapes(nn.Module<Tensor, Tensor> network, ImageShape input, Device device)
    {
        var removers = new List<Action>();
        int recordingThread = Environment.CurrentManagedThreadId;
        try
        {
            foreach (var layer in _paths.Keys.OfType<nn.Module<Tensor, Tensor>>())
            {
                var hook = layer.register_forward_hook((self, x, _) =>
                {
                    // Another thread may be scoring with the same network meanwhile.
                    if (Environment.CurrentManagedThreadId == recordingThread)
                        _inputShapes.TryAdd(self, x.shape);
                    return null!;
                });
                removers.Add(hook.remove);
            }
            network.call(zeros([1, input.Channels, input.Height, input.Width], device: device));
        }
        finally
        {
            foreach (var remove in removers)
                remove();
        }
    }

    /// <summary>Keeps the nodes of a graph in memory, to read its data flow.</summary>
    private sealed class RecordingWriter : IGraphWriter
    {
        public List<(string OpType, IReadOnlyList<string> Inputs, string Output)> Nodes { get; } = [];

        public void AddInput(string name, IReadOnlyList<long> sampleShape, string description)
        {
        }

        public void AddOutput(string name, IReadOnlyList<long> sampleShape, string description)
        {
        }

        public void AddNode(string name, string opType, IReadOnlyList<string> inputs, string output, IReadOnlyList<GraphAttribute> attributes) =>
            Nodes.Add((opType, [.. inputs], output));

        public void AddInitializer(string name, Tensor value)
        {
        }
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
            candidate = $"{name}_{i}";
        return candidate;
    }
}
