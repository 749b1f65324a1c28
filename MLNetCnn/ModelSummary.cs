using System.Globalization;
using System.Text;
using MLNetCnn.Architectures;
using MLNetCnn.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn;

/// <summary>One layer of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The layer's dotted name in the network, as in its state dictionary (for example <c>layer1.0.conv1</c>).</param>
/// <param name="Type">The layer's module type, for example <c>Conv2d</c>.</param>
/// <param name="OutputShape">The shape of the layer's output for one image, without the batch dimension.</param>
/// <param name="Parameters">Parameter values the layer holds (counted at its first call only, when a layer runs more than once).</param>
/// <param name="MultiplyAdds">Multiply-adds of the layer for one image.</param>
public sealed record LayerSummary(string Name, string Type, IReadOnlyList<long> OutputShape, long Parameters, long MultiplyAdds);

/// <summary>
/// What a network does to one image, layer by layer, like Keras' <c>summary()</c>: each layer's output shape,
/// parameters and multiply-adds, and the totals. It runs one evaluation-mode forward pass on a blank image and
/// records every layer that runs (leaf modules called through <c>call</c>, as <c>Sequential</c> calls them; a
/// module whose inner layers are invoked otherwise appears as one row).
/// </summary>
/// <remarks>
/// Multiply-adds count what the papers count: convolutions (output values times the inputs each one reads,
/// groups considered) and fully connected layers, plus layers that implement <see cref="ICountsMultiplyAdds"/>;
/// activations, pooling and normalisation count as none. Layers that do not run at inference, such as
/// GoogLeNet's auxiliary classifiers, are left out of the rows and totalled in <see cref="UnusedParameters"/>.
/// </remarks>
public sealed class ModelSummary
{
    private ModelSummary(string title, ImageShape input, IReadOnlyList<LayerSummary> layers, IReadOnlyList<long> outputShape,
        long trainableParameters, long frozenParameters, long parameterBytes, long bufferValues, long unusedParameters)
    {
        Title = title;
        Input = input;
        Layers = layers;
        OutputShape = outputShape;
        TrainableParameters = trainableParameters;
        Parameters = trainableParameters + frozenParameters;
        ParameterBytes = parameterBytes;
        BufferValues = bufferValues;
        UnusedParameters = unusedParameters;
        MultiplyAdds = layers.Sum(l => l.MultiplyAdds);
    }

    /// <summary>The architecture name, or the network's module name.</summary>
    public string Title { get; }

    /// <summary>The shape of the image the network ran on.</summary>
    public ImageShape Input { get; }

    /// <summary>The layers in the order they ran.</summary>
    public IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>The network's output shape for one image, without the batch dimension.</summary>
    public IReadOnlyList<long> OutputShape { get; }

    /// <summary>Parameter values of the layers that ran: the sum of <see cref="LayerSummary.Parameters"/>.</summary>
    public long Parameters { get; }

    /// <summary>The part of <see cref="Parameters"/> that training updates (parameters that require gradients).</summary>
    public long TrainableParameters { get; }

    /// <summary>Bytes the <see cref="Parameters"/> take.</summary>
    public long ParameterBytes { get; }

    /// <summary>
    /// Floating-point values the network keeps besides its parameters and does not train, such as batch
    /// normalisation's running statistics or LeNet-5's fixed RBF centres.
    /// </summary>
    public long BufferValues { get; }

    /// <summary>Parameter values of layers that did not run at inference (GoogLeNet's auxiliary classifiers).</summary>
    public long UnusedParameters { get; }

    /// <summary>Multiply-adds for one image: the sum of <see cref="LayerSummary.MultiplyAdds"/>.</summary>
    public long MultiplyAdds { get; }

    /// <summary>Builds a registered architecture for a spec and summarises it.</summary>
    /// <param name="architecture">A name from <see cref="ModelZoo.Names"/>.</param>
    /// <param name="spec">The input shape, class count and family options.</param>
    public static ModelSummary Create(string architecture, ModelSpec spec)
    {
        using var network = ModelZoo.Create(architecture, spec);
        return Create(network, spec.Input, architecture);
    }

    /// <summary>
    /// Summarises a network on an input shape. The network runs in evaluation mode and is returned to the mode it
    /// was in; its weights are not changed.
    /// </summary>
    /// <param name="network">Any network taking an (N, C, H, W) batch.</param>
    /// <param name="input">The shape of one image.</param>
    /// <param name="title">Names the network in the printout; by default its module name.</param>
    public static ModelSummary Create(nn.Module<Tensor, Tensor> network, ImageShape input, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        input.Validate("summary input");
        var recorder = new LayerRecorder(network);
        bool wasTraining = network.training;
        try
        {
            network.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var device = network.parameters().FirstOrDefault()?.device ?? CPU;
            var output = network.call(zeros([1, input.Channels, input.Height, input.Width], device: device));
            long unused = network.parameters().Where(p => !recorder.Counted.Contains(p.Handle)).Sum(p => p.numel());
            return new ModelSummary(title ?? network.GetName(), input, recorder.Rows, [.. output.shape.Skip(1)],
                recorder.TrainableParameters, recorder.FrozenParameters, recorder.ParameterBytes,
                network.buffers().Where(b => b.is_floating_point()).Sum(b => b.numel()), unused);
        }
        finally
        {
            recorder.Dispose();
            network.train(wasTraining);
        }
    }

    /// <summary>The summary as a table with totals, like Keras' <c>summary()</c>.</summary>
    public override string ToString()
    {
        var culture = CultureInfo.InvariantCulture;
        string[] header = ["Layer (type)", "Output shape", "Param #", "Mult-adds"];
        var cells = Layers.Select(l => new[]
        {
            $"{l.Name} ({l.Type})", FormatShape(l.OutputShape), l.Parameters.ToString("N0", culture), l.MultiplyAdds.ToString("N0", culture),
        }).ToList();
        int[] widths = [.. Enumerable.Range(0, header.Length).Select(c => cells.Select(r => r[c].Length).Append(header[c].Length).Max())];
        int lineWidth = widths.Sum() + 3 * (widths.Length - 1);

        var text = new StringBuilder();
        text.AppendLine(culture, $"Model: {Title}, input {Input}, output {FormatShape(OutputShape)}");
        text.AppendLine(new string('-', lineWidth));
        AppendRow(text, header, widths);
        text.AppendLine(new string('=', lineWidth));
        foreach (var row in cells)
            AppendRow(text, row, widths);
        text.AppendLine(new string('=', lineWidth));
        text.AppendLine(culture, $"Total params: {Parameters:N0} ({ParameterBytes / (1024.0 * 1024.0):F2} MB)");
        text.AppendLine(culture, $"Trainable params: {TrainableParameters:N0}");
        text.AppendLine(culture, $"Non-trainable params: {Parameters - TrainableParameters:N0}");
        text.AppendLine(culture, $"Buffers (not trained): {BufferValues:N0}");
        if (UnusedParameters > 0)
            text.AppendLine(culture, $"Params of layers not run at inference: {UnusedParameters:N0}");
        text.AppendLine(culture, $"Mult-adds: {MultiplyAdds:N0} ({FormatLarge(MultiplyAdds)})");
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        text.Append(cells[0].PadRight(widths[0]));
        for (int c = 1; c < cells.Length; c++)
            text.Append("   ").Append(c == 1 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c]));
        text.AppendLine();
    }

    private static string FormatShape(IReadOnlyList<long> shape) => string.Join("x", shape);

    private static string FormatLarge(long value) => value switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1e9:F2} G"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{value / 1e6:F1} M"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value / 1e3:F1} K"),
    };

    /// <summary>Hooks every module of a network and turns the calls of one forward pass into rows.</summary>
    private sealed class LayerRecorder : IDisposable
    {
        private readonly List<Action> _removers = [];
        private readonly Stack<int> _rowsAtCall = new();

        public LayerRecorder(nn.Module<Tensor, Tensor> network)
        {
            var hooked = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
            foreach (var (name, module) in network.named_modules().Prepend((network.GetName(), network)))
            {
                if (module is not nn.Module<Tensor, Tensor> layer || !hooked.Add(layer))
                    continue;
                var pre = layer.register_forward_pre_hook(_ => _rowsAtCall.Push(Rows.Count));
                var post = layer.register_forward_hook((self, input, output) =>
                {
                    Record(name, self, input, output);
                    return null!;
                });
                _removers.Add(pre.remove);
                _removers.Add(post.remove);
            }
        }

        public List<LayerSummary> Rows { get; } = [];

        public HashSet<IntPtr> Counted { get; } = [];

        public long TrainableParameters { get; private set; }

        public long FrozenParameters { get; private set; }

        public long ParameterBytes { get; private set; }

        public void Dispose()
        {
            foreach (var remove in _removers)
                remove();
        }

        private void Record(string name, nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
        {
            bool innerLayersRan = Rows.Count > _rowsAtCall.Pop();
            bool isLeaf = !module.children().Any();
            // A composite appears as a row when its inner layers did not report, or for the parameters it holds itself.
            var parameters = isLeaf || !innerLayersRan ? module.parameters() : module.parameters(recurse: false);
            var fresh = parameters.Where(p => Counted.Add(p.Handle)).ToList();
            if (!isLeaf && innerLayersRan && fresh.Count == 0)
                return;
            foreach (var p in fresh)
            {
                if (p.requires_grad)
                    TrainableParameters += p.numel();
                else
                    FrozenParameters += p.numel();
                ParameterBytes += p.numel() * p.ElementSize;
            }
            Rows.Add(new LayerSummary(name, module.GetType().Name, [.. output.shape.Skip(1)], fresh.Sum(p => p.numel()),
                isLeaf || !innerLayersRan ? MultiplyAdds(module, input, output) : 0));
        }

        private static long MultiplyAdds(nn.Module module, Tensor input, Tensor output) => module switch
        {
            ICountsMultiplyAdds counting => counting.MultiplyAdds(input.shape, output.shape),
            Conv1d or Conv2d or Conv3d => output.numel() * module.named_parameters(recurse: false).First(p => p.name == "weight").parameter.shape.Skip(1).Aggregate(1L, (a, b) => a * b),
            Linear linear => output.numel() * linear.in_features,
            _ => 0,
        };
    }
}
