using MLNetCnn.Data;
using MLNetCnn.Export;
using MLNetCnn.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// LeNet-5 (LeCun, Bottou, Bengio and Haffner, "Gradient-based learning applied to document recognition",
/// 1998): two convolution and sub-sampling stages and three fully connected layers.
/// </summary>
public static class LeNet
{
    private const int PaperInputSize = 32;

    /// <summary>
    /// The modern LeNet-5: ReLU and max-pooling in place of scaled tanh and trainable sub-sampling,
    /// C3 fully connected to S2, a linear output layer. At 32x32 the geometry is the paper's
    /// (28x28x6, 14x14x6, 10x10x16, 5x5x16, 120, 84); smaller inputs such as MNIST's 28x28 are zero-padded
    /// in C1 up to 32x32, as the paper padded its digits. Takes no options.
    /// </summary>
    public static nn.Module<Tensor, Tensor> LeNet5(ModelSpec spec) => new LeNet5Network(spec);

    /// <summary>
    /// LeNet-5 as published. Every layer up to F6 squashes with the scaled tanh <c>1.7159 tanh(2a/3)</c>;
    /// S2 and S4 are trainable sub-sampling layers (the sum of each 2x2 window times a coefficient plus a
    /// bias, per map, then the squashing function); C3 connects each of its 16 maps to the subsets of S2's 6
    /// maps in the paper's Table I; C5 is a 5x5 convolution; the output layer holds one Euclidean RBF unit per
    /// class, whose centre is a fixed code of -1s and +1s (random here, as the paper allows, since its 7x12
    /// digit bitmaps fit only ten classes) stored with the model but not trained. That makes exactly the
    /// paper's 60,000 trainable parameters at 32x32.
    /// </summary>
    /// <remarks>
    /// An RBF unit outputs the squared distance between F6's state and its centre, smallest for the best
    /// class; the network returns the <b>negated</b> distances as logits, so that cross-entropy over them is
    /// the paper's maximum a posteriori criterion without its "rubbish class" term and the largest logit is the
    /// prediction. Inputs smaller than 32x32 (MNIST's 28x28) are zero-padded in C1 up to 32x32, as the paper
    /// padded its digits; larger ones make C5's maps larger than 1x1 and F6 wider. Weights start uniform in
    /// ±2.4/F (F the unit's fan-in), as in the paper. Takes no options.
    /// </remarks>
    public static nn.Module<Tensor, Tensor> LeNet5Classic(ModelSpec spec) => new LeNet5ClassicNetwork(spec);

    private static (int Height, int Width) C1Padding(ModelSpec spec) =>
        (Math.Max(0, (PaperInputSize - spec.Input.Height + 1) / 2), Math.Max(0, (PaperInputSize - spec.Input.Width + 1) / 2));

    /// <summary>The side of S4's maps: C1 (5x5 over the padded input), S2 (2x2), C3 (5x5), S4 (2x2).</summary>
    private static int S4Side(int side, int padding) =>
        ConvArithmetic.OutputSide(ConvArithmetic.OutputSide(ConvArithmetic.OutputSide(ConvArithmetic.OutputSide(side, 5, padding: padding), 2, 2), 5), 2, 2);

    private sealed class LeNet5Network : nn.Module<Tensor, Tensor>, IClassifierHead, IExportableModule
    {
        private readonly Sequential features;
        private readonly Sequential classifier;

        public LeNet5Network(ModelSpec spec) : base("LeNet5")
        {
            spec.CheckOptions("lenet5");
            var (padH, padW) = C1Padding(spec);
            features = nn.Sequential(
                ("c1", nn.Conv2d(spec.Input.Channels, 6, kernel_size: (5, 5), padding: (padH, padW))),
                ("relu1", nn.ReLU()),
                ("s2", nn.MaxPool2d(2)),
                ("c3", nn.Conv2d(6, 16, 5)),
                ("relu3", nn.ReLU()),
                ("s4", nn.MaxPool2d(2)));
            classifier = nn.Sequential(
                ("flatten", nn.Flatten()),
                ("c5", nn.Linear(16L * S4Side(spec.Input.Height, padH) * S4Side(spec.Input.Width, padW), 120)),
                ("relu5", nn.ReLU()),
                ("f6", nn.Linear(120, 84)),
                ("relu6", nn.ReLU()),
                ("output", nn.Linear(84, spec.ClassCount)));
            RegisterComponents();
        }

        public IReadOnlyList<string> HeadLayers => ["classifier.output"];

        public override Tensor forward(Tensor input) => classifier.call(features.call(input));

        public string Export(GraphBuilder graph, string input) => graph.Sequence(input, features, classifier);
    }

    private sealed class LeNet5ClassicNetwork : nn.Module<Tensor, Tensor>, IClassifierHead, IExportableModule
    {
        private const int F6Units = 84;
        private readonly Sequential features;
        private readonly Sequential classifier;

        public LeNet5ClassicNetwork(ModelSpec spec) : base("LeNet5Classic")
        {
            spec.CheckOptions("lenet5-classic");
            var (padH, padW) = C1Padding(spec);
            var c1 = nn.Conv2d(spec.Input.Channels, 6, kernel_size: (5, 5), padding: (padH, padW));
            var c5 = nn.Conv2d(16, 120, 5);
            int c5Height = S4Side(spec.Input.Height, padH) - 4;
            int c5Width = S4Side(spec.Input.Width, padW) - 4;
            var f6 = nn.Linear(120L * c5Height * c5Width, F6Units);
            InitialiseUniform(c1.weight!, c1.bias, spec.Input.Channels * 25);
            InitialiseUniform(c5.weight!, c5.bias, 16 * 25);
            InitialiseUniform(f6.weight!, f6.bias, 120.0 * c5Height * c5Width);
            features = nn.Sequential(
                ("c1", c1),
                ("squash1", new ScaledTanh()),
                ("s2", new TrainableSubsampling(6)),
                ("squash2", new ScaledTanh()),
                ("c3", new PartiallyConnectedC3()),
                ("squash3", new ScaledTanh()),
                ("s4", new TrainableSubsampling(16)),
                ("squash4", new ScaledTanh()),
                ("c5", c5),
                ("squash5", new ScaledTanh()));
            classifier = nn.Sequential(
                ("flatten", nn.Flatten()),
                ("f6", f6),
                ("squash6", new ScaledTanh()),
                ("output", new EuclideanRbfOutput(F6Units, spec.ClassCount)));
            RegisterComponents();
        }

        public IReadOnlyList<string> HeadLayers => ["classifier.output"];

        public override Tensor forward(Tensor input) => classifier.call(features.call(input));

        public string Export(GraphBuilder graph, string input) => graph.Sequence(input, features, classifier);
    }

    /// <summary>Uniform in ±2.4/F, F the fan-in of a unit (LeCun et al. 1998, appendix C).</summary>
    private static void InitialiseUniform(Tensor weight, Tensor? bias, double fanIn)
    {
        using var noGrad = no_grad();
        double bound = 2.4 / fanIn;
        nn.init.uniform_(weight, -bound, bound);
        if (bias is not null)
            nn.init.uniform_(bias, -bound, bound);
    }

    /// <summary>The paper's squashing function <c>f(a) = 1.7159 tanh(2a/3)</c>, for which f(1) = 1 and f(-1) = -1.</summary>
    private sealed class ScaledTanh : nn.Module<Tensor, Tensor>, IExportableModule
    {
        private const double Amplitude = 1.7159;
        private const double Slope = 2.0 / 3.0;
        private static readonly Scalar AmplitudeScalar = Amplitude.ToScalar();
        private static readonly Scalar SlopeScalar = Slope.ToScalar();

        public ScaledTanh() : base(nameof(ScaledTanh)) => RegisterComponents();

        public override Tensor forward(Tensor input)
        {
            using var scaled = input.mul(SlopeScalar);
            using var squashed = scaled.tanh();
            return squashed.mul(AmplitudeScalar);
        }

        public string Export(GraphBuilder graph, string input) => graph.Scale(graph.Node("Tanh", [graph.Scale(input, Slope)]), Amplitude);
    }

    /// <summary>S2 and S4: the sum of each non-overlapping 2x2 window, times a trainable coefficient, plus a trainable bias, per
    /// map.</summary>
    private sealed class TrainableSubsampling : nn.Module<Tensor, Tensor>, IExportableModule
    {
        private const int Window = 2;
        private readonly AvgPool2d sum;
        private readonly Conv2d coefficient;

        public TrainableSubsampling(int maps) : base(nameof(TrainableSubsampling))
        {
            sum = nn.AvgPool2d(Window, divisor_override: 1);
            coefficient = nn.Conv2d(maps, maps, 1, groups: maps);
            InitialiseUniform(coefficient.weight!, coefficient.bias, Window * Window);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var sums = sum.call(input);
            return coefficient.call(sums);
        }

        public string Export(GraphBuilder graph, string input) => graph.Sequence(input, sum, coefficient);
    }

    /// <summary>C3: 16 maps of 5x5 kernels, each reading only the S2 maps of the paper's Table I.</summary>
    private sealed class PartiallyConnectedC3 : nn.Module<Tensor, Tensor>, IExportableModule
    {
        private const int Kernel = 5;

        /// <summary>Table I: the S2 maps each C3 map reads (six contiguous triples, six contiguous quadruples, three discontinuous
        /// quadruples, all six).</summary>
        private static readonly int[][] ConnectionTable =
        [
            [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
            [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
            [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
            [0, 1, 2, 3, 4, 5],
        ];

        private static readonly long[] TripleInputs = Inputs(0, 6);
        private static readonly long[] QuadrupleInputs = Inputs(6, 15);

        private readonly Conv2d triples;
        private readonly Conv2d quadruples;
        private readonly Conv2d full;

        public PartiallyConnectedC3() : base(nameof(PartiallyConnectedC3))
        {
            triples = nn.Conv2d(TripleInputs.Length, 6, Kernel, groups: 6);
            quadruples = nn.Conv2d(QuadrupleInputs.Length, 9, Kernel, groups: 9);
            full = nn.Conv2d(6, 1, Kernel);
            InitialiseUniform(triples.weight!, triples.bias, 3 * Kernel * Kernel);
            InitialiseUniform(quadruples.weight!, quadruples.bias, 4 * Kernel * Kernel);
            InitialiseUniform(full.weight!, full.bias, 6 * Kernel * Kernel);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var fromTriples = triples.call(input.index_select(1, tensor(TripleInputs, device: input.device)));
            var fromQuadruples = quadruples.call(input.index_select(1, tensor(QuadrupleInputs, device: input.device)));
            return cat([fromTriples, fromQuadruples, full.call(input)], 1).MoveToOuterDisposeScope();
        }

        public string Export(GraphBuilder graph, string input)
        {
            string Maps(string name, long[] maps) => graph.Node("Gather", [input, graph.Constant(name, maps)], [GraphAttribute.Int("axis", 1)]);
            return graph.ConcatChannels(
                graph.Call(triples, Maps("triple_inputs", TripleInputs)),
                graph.Call(quadruples, Maps("quadruple_inputs", QuadrupleInputs)),
                graph.Call(full, input));
        }

        /// <summary>The S2 maps read by C3 maps [first, end), one group after another.</summary>
        private static long[] Inputs(int first, int end) => [.. ConnectionTable[first..end].SelectMany(maps => maps.Select(m => (long)m))];
    }

    /// <summary>One Euclidean RBF unit per class over F6's states; returns the negated squared distances to the fixed centres.</summary>
    private sealed class EuclideanRbfOutput : nn.Module<Tensor, Tensor>, ICountsMultiplyAdds, IExportableModule
    {
        private readonly Tensor centres;

        public EuclideanRbfOutput(int inputs, int classes) : base(nameof(EuclideanRbfOutput))
        {
            centres = randint(0, 2, [classes, inputs]).to(float32).mul_(Scalars.Two).sub_(Scalars.One);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var distances = input.unsqueeze(1).sub(centres.unsqueeze(0)).pow(Scalars.Two).sum(-1);
            return distances.neg().MoveToOuterDisposeScope();
        }

        public long MultiplyAdds(IReadOnlyList<long> inputShape, IReadOnlyList<long> outputShape) => centres.numel();

        public string Export(GraphBuilder graph, string input)
        {
            var states = graph.Node("Unsqueeze", [input, graph.Constant("class_axis", [1])]);
            var differences = graph.Node("Sub", [states, graph.Parameter(this, "centres", centres)]);
            var distances = graph.Node("ReduceSum", [graph.Node("Mul", [differences, differences]), graph.Constant("unit_axis", [-1])],
                [GraphAttribute.Int("keepdims", 0)]);
            return graph.Node("Neg", [distances]);
        }
    }
}
