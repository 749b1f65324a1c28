using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using A = MLNetCnn.Export.GraphAttribute;

namespace MLNetCnn.Export;

/// <summary>
/// The ONNX form of each plain TorchSharp layer the architectures use, in evaluation mode, by exact type: a layer of
/// another type (a subclass too, since it may change the forward pass) cannot be exported and the error names it.
/// </summary>
internal static class LayerExporters
{
    private delegate string Exporter(GraphBuilder graph, nn.Module layer, string input);

    private static readonly Dictionary<Type, Exporter> ByType = new()
    {
        [typeof(Sequential)] = (graph, layer, input) => graph.Sequence(input, [.. layer.children()]),
        [typeof(Identity)] = (_, _, input) => input,
        [typeof(Dropout)] = (_, _, input) => input,
        [typeof(Dropout2d)] = (_, _, input) => input,
        [typeof(ReLU)] = (graph, _, input) => graph.Relu(input),
        [typeof(Tanh)] = (graph, _, input) => graph.Node("Tanh", [input]),
        [typeof(Sigmoid)] = (graph, _, input) => graph.Node("Sigmoid", [input]),
        [typeof(Flatten)] = For<Flatten>(Flatten),
        [typeof(Linear)] = For<Linear>(Gemm),
        [typeof(Conv2d)] = For<Conv2d>(Conv),
        [typeof(BatchNorm1d)] = For<BatchNorm>(BatchNormalization),
        [typeof(BatchNorm2d)] = For<BatchNorm>(BatchNormalization),
        [typeof(LocalResponseNorm)] = For<LocalResponseNorm>(Lrn),
        [typeof(MaxPool2d)] = For<MaxPool2d>(MaxPool),
        [typeof(AvgPool2d)] = For<AvgPool2d>(AveragePool),
        [typeof(AdaptiveAvgPool2d)] = For<AdaptiveAvgPool2d>(AdaptiveAveragePool),
        [typeof(Upsample)] = For<Upsample>(Resize),
    };

    /// <summary>Adds <paramref name="layer"/>'s forward pass, or throws an error naming it when its type has no ONNX form here.</summary>
    public static string Export(GraphBuilder graph, nn.Module layer, string input) =>
        ByType.TryGetValue(layer.GetType(), out var export)
            ? export(graph, layer, input)
            : throw graph.Unsupported(layer, "has no ONNX form. Exported are the built-in architectures, and nn.Sequential networks of the blocks of " +
                "MLNetCnn.Layers and of these layers: " + string.Join(", ", ByType.Keys.Where(t => t != typeof(Sequential)).Select(t => t.Name)));

    private static Exporter For<T>(Func<GraphBuilder, T, string, string> export) where T : nn.Module =>
        (graph, layer, input) => export(graph, (T)layer, input);

    private static string Flatten(GraphBuilder graph, Flatten flatten, string input)
    {
        int rank = graph.InputShape(flatten).Length;
        bool toEnd = flatten.end_dim == -1 || flatten.end_dim == rank - 1;
        if (flatten.start_dim != 1 || !toEnd)
            throw graph.Unsupported(flatten, $"flattens dimensions {flatten.start_dim} to {flatten.end_dim}; only Flatten(1, -1) maps to ONNX's Flatten");
        return graph.Flatten(input);
    }

    private static string Gemm(GraphBuilder graph, Linear linear, string input)
    {
        if (graph.InputShape(linear).Length != 2)
            throw graph.Unsupported(linear, $"receives a rank-{graph.InputShape(linear).Length} input; only (batch, features) inputs map to ONNX's Gemm");
        var inputs = new List<string> { input, graph.Parameter(linear, "weight", linear.weight!) };
        if (linear.bias is { } bias)
            inputs.Add(graph.Parameter(linear, "bias", bias));
        return graph.Node("Gemm", inputs, [A.Int("transB", 1)]);
    }

    private static string Conv(GraphBuilder graph, Conv2d conv, string input)
    {
        if (conv.padding_mode != PaddingModes.Zeros)
            throw graph.Unsupported(conv, $"pads with mode {conv.padding_mode}; ONNX's Conv pads with zeros only");
        var kernel = conv.kernel_size;
        var dilation = conv.dilation;
        long[] pads = conv.padding_type switch
        {
            Padding.Valid => [0, 0, 0, 0],
            // PyTorch's "same" puts the odd pixel of padding at the end.
            Padding.Same => [.. SamePadding(kernel, dilation, end: false), .. SamePadding(kernel, dilation, end: true)],
            _ => [.. conv.padding!, .. conv.padding!],
        };
        var inputs = new List<string> { input, graph.Parameter(conv, "weight", conv.weight!) };
        if (conv.bias is { } bias)
            inputs.Add(graph.Parameter(conv, "bias", bias));
        return graph.Node("Conv", inputs,
        [
            A.Ints("kernel_shape", kernel), A.Ints("strides", conv.stride), A.Ints("pads", pads),
            A.Ints("dilations", dilation), A.Int("group", conv.groups),
        ]);
    }

    private static IEnumerable<long> SamePadding(long[] kernel, long[] dilation, bool end) =>
        kernel.Select((k, i) => dilation[i] * (k - 1) / 2 + (end ? dilation[i] * (k - 1) % 2 : 0));

    private static string BatchNormalization(GraphBuilder graph, BatchNorm norm, string input)
    {
        if (BatchNormFolding.IsFolded(norm))
            return input;
        if (norm.running_mean is not { } mean || norm.running_var is not { } variance)
            throw graph.Unsupported(norm, "keeps no running statistics, so it normalises with each batch's own even in evaluation mode");
        long features = norm.num_features;
        string scale = norm.affine ? graph.Parameter(norm, "weight", norm.weight) : graph.Constant("weight", ones(features));
        string shift = norm.affine && norm.bias is { } bias ? graph.Parameter(norm, "bias", bias) : graph.Constant("bias", zeros(features));
        return graph.Node("BatchNormalization",
            [input, scale, shift, graph.Parameter(norm, "running_mean", mean), graph.Parameter(norm, "running_var", variance)],
            [A.Float("epsilon", norm.eps)]);
    }

    private static string Lrn(GraphBuilder graph, LocalResponseNorm norm, string input)
    {
        // Both divide alpha by the window size; for an even window ONNX centres it one channel later than PyTorch.
        if (norm.size % 2 == 0)
            throw graph.Unsupported(norm, $"sums over an even window of {norm.size} channels, which ONNX's LRN places differently");
        return graph.Node("LRN", [input],
            [A.Int("size", norm.size), A.Float("alpha", norm.alpha), A.Float("beta", norm.beta), A.Float("bias", norm.k)]);
    }

    private static string MaxPool(GraphBuilder graph, MaxPool2d pool, string input) =>
        graph.Node("MaxPool", [input],
        [
            A.Ints("kernel_shape", pool.kernel_size), A.Ints("strides", pool.stride ?? pool.kernel_size),
            A.Ints("pads", Pads(pool.padding, pool.kernel_size.Length)), A.Ints("dilations", pool.dilation ?? Ones(pool.kernel_size.Length)),
            A.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
        ]);

    private static string AveragePool(GraphBuilder graph, AvgPool2d pool, string input)
    {
        var pooled = graph.Node("AveragePool", [input],
        [
            A.Ints("kernel_shape", pool.kernel_size), A.Ints("strides", pool.stride ?? pool.kernel_size),
            A.Ints("pads", Pads(pool.padding, pool.kernel_size.Length)), A.Int("ceil_mode", pool.ceil_mode ? 1 : 0),
            A.Int("count_include_pad", pool.count_include_pad ? 1 : 0),
        ]);
        if (pool.divisor_override is not { } divisor)
            return pooled;
        // A custom divisor rescales the mean of full windows (window area / divisor); with padding or ceil mode the windows differ in size.
        if (Pads(pool.padding, 2).Any(p => p != 0) || pool.ceil_mode)
            throw graph.Unsupported(pool, "overrides the divisor of windows that padding or ceil mode makes unequal");
        return graph.Scale(pooled, (double)pool.kernel_size.Aggregate(1L, (a, b) => a * b) / divisor);
    }

    private static long[] Pads(long[]? padding, int dimensions) =>
        padding is null ? new long[2 * dimensions] : [.. padding, .. padding];

    private static long[] Ones(int count) => [.. Enumerable.Repeat(1L, count)];

    /// <summary>
    /// Adaptive average pooling: GlobalAveragePool to 1x1, nothing when the size is kept, AveragePool when the output
    /// divides the input, and otherwise a product with the fixed matrix of PyTorch's (unequal, overlapping) windows.
    /// </summary>
    private static string AdaptiveAveragePool(GraphBuilder graph, AdaptiveAvgPool2d pool, string input)
    {
        var shape = graph.InputShape(pool);
        long channels = shape[1], height = shape[2], width = shape[3];
        long outHeight = pool.output_size[0], outWidth = pool.output_size[1];
        if (outHeight == 1 && outWidth == 1)
            return graph.Node("GlobalAveragePool", [input]);
        if (outHeight == height && outWidth == width)
            return input;
        if (height % outHeight == 0 && width % outWidth == 0)
        {
            long[] window = [height / outHeight, width / outWidth];
            return graph.Node("AveragePool", [input], [A.Ints("kernel_shape", window), A.Ints("strides", window)]);
        }
        var weights = new float[height * width * outHeight * outWidth];
        for (long i = 0; i < outHeight; i++)
        {
            var (top, bottom) = AdaptiveWindow(i, height, outHeight);
            for (long j = 0; j < outWidth; j++)
            {
                var (left, right) = AdaptiveWindow(j, width, outWidth);
                float share = 1f / ((bottom - top) * (right - left));
                for (long y = top; y < bottom; y++)
                {
                    for (long x = left; x < right; x++)
                        weights[(y * width + x) * outHeight * outWidth + i * outWidth + j] = share;
                }
            }
        }
        var rows = graph.Node("Reshape", [input, graph.Constant("rows", [0, channels, height * width])]);
        var pooled = graph.Node("MatMul", [rows, graph.Constant("windows", tensor(weights, [height * width, outHeight * outWidth]))]);
        return graph.Node("Reshape", [pooled, graph.Constant("shape", [0, channels, outHeight, outWidth])]);
    }

    /// <summary>PyTorch's window of output cell <paramref name="index"/>: [floor(i*in/out), ceil((i+1)*in/out)).</summary>
    private static (long Start, long End) AdaptiveWindow(long index, long inputSize, long outputSize) =>
        (index * inputSize / outputSize, ((index + 1) * inputSize + outputSize - 1) / outputSize);

    private static string Resize(GraphBuilder graph, Upsample upsample, string input)
    {
        var shape = graph.InputShape(upsample);
        long[] size = upsample.size.ToArray();
        if (size.Length == 0)
        {
            // PyTorch maps coordinates with the factor itself; the sizes ONNX is given imply the same factor only when they come out whole.
            var scaled = upsample.scale_factor.ToArray().Select((factor, i) => shape[i + 2] * factor).ToArray();
            if (scaled.Any(s => s != Math.Floor(s)))
                throw graph.Unsupported(upsample, $"scales a {shape[2]}x{shape[3]} map by [{string.Join(", ", upsample.scale_factor.ToArray())}], which gives no whole size");
            size = [.. scaled.Select(s => (long)s)];
        }
        if (size.Length != 2)
            throw graph.Unsupported(upsample, "resizes other than the two spatial dimensions");
        var attributes = upsample.mode switch
        {
            UpsampleMode.Nearest => new List<A> { A.String("mode", "nearest"), A.String("coordinate_transformation_mode", "asymmetric"), A.String("nearest_mode", "floor") },
            UpsampleMode.Bilinear => [A.String("mode", "linear"), A.String("coordinate_transformation_mode", upsample.align_corners == true ? "align_corners" : "half_pixel")],
            _ => throw graph.Unsupported(upsample, $"resizes with mode {upsample.mode}; nearest and bilinear map to ONNX's Resize"),
        };
        // Opset 17's Resize takes the sizes of all four dimensions; the batch is only known when the graph runs.
        var batchAndChannels = graph.Node("Slice", [graph.Node("Shape", [input]), graph.Constant("start", [0]), graph.Constant("end", [2])]);
        var sizes = graph.Node("Concat", [batchAndChannels, graph.Constant("size", size)], [A.Int("axis", 0)]);
        return graph.Node("Resize", [input, "", "", sizes], attributes);
    }
}
