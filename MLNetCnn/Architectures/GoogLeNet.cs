using MLNetCnn.Data;
using MLNetCnn.Export;
using MLNetCnn.Layers;
using MLNetCnn.Runtime;
using MLNetCnn.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// GoogLeNet, Inception v1 (Szegedy et al., "Going deeper with convolutions", 2015): a stem of 7x7/2, 1x1 and
/// 3x3 convolutions with local response normalisation and max-pooling, nine Inception modules with 1x1
/// reductions (the paper's table 1), global average pooling, dropout 0.4 and a linear classifier, plus two
/// auxiliary classifiers on the outputs of inception 4a and 4d that exist for training only.
/// </summary>
public static class GoogLeNet
{
    /// <summary>The weight of each auxiliary classifier's loss in the training loss (section 5 of the paper).</summary>
    public const double AuxiliaryLossWeight = 0.3;

    private const int SmallImageSide = 64;
    private const int AuxiliaryMapSide = 4;

    private static readonly Design PaperDesign = new(ConvRelu.Create, Ch5x5KernelSize: 5, LocalResponseNorm: true, LastPoolKernel: 3, Dropout: 0.4,
        PaperAuxiliaryPool: true, Initialise: XavierWithBiases);

    private static readonly Design TorchvisionDesign = new(ConvBatchNormRelu.Create, Ch5x5KernelSize: 3, LocalResponseNorm: false, LastPoolKernel: 2,
        Dropout: 0.2, PaperAuxiliaryPool: false, Initialise: SmallNormal);

    /// <summary>
    /// GoogLeNet as in table 1 of the paper: 7.0M parameters for 1000 classes without the auxiliary heads, which
    /// add 6.4M more. In training mode the forward pass also runs the auxiliary classifiers (average pool to 4x4,
    /// 1x1 convolution of 128 filters, fully connected 1024 with ReLU, dropout 0.7, linear), and the network, an
    /// <see cref="IAuxiliaryLoss"/>, hands their losses to the trainer at weight
    /// <see cref="AuxiliaryLossWeight"/>; in evaluation mode they do not run.
    /// </summary>
    /// <remarks>
    /// The paper's table 1 states 6.8M parameters, which its own filter counts do not add up to (inception 3a
    /// alone has 163K weights, not 159K); torchvision's 6.6M comes from a 3x3 convolution where the paper has
    /// the 5x5 and from batch normalisation the paper does not have. This network keeps the paper's 5x5
    /// convolutions, ReLUs and local response normalisation (n = 5, alpha = 1e-4, beta = 0.75, as in the
    /// reference Caffe model), and starts weights with Glorot and Bengio's initialisation and biases at 0.2
    /// (0 in the classifiers' output layers), as that model does.
    /// At 224x224 the modules see the paper's 28x28, 14x14 and 7x7 maps. Small images (a side below 64 pixels):
    /// conv1 runs at stride 1 and the first max-pool is left out, so a 32x32 image reaches inception 3 at 16x16,
    /// inception 4 at 8x8 and inception 5 at 4x4; the smallest input is 8x8. The auxiliary classifiers average
    /// the 4a and 4d maps with the paper's 5x5/3 pool when that gives 4x4 (maps of 14 to 16 pixels), and
    /// otherwise adaptively down to at most 4x4. Names follow torchvision's (<c>conv1</c>, <c>maxpool1</c>,
    /// <c>inception3a</c>, ..., <c>aux1</c>, <c>aux2</c>, <c>fc</c>). Takes no options.
    /// </remarks>
    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec) => new GoogLeNetNetwork("googlenet", spec, PaperDesign);

    /// <summary>
    /// torchvision's GoogLeNet, whose pretrained weights are ported from TensorFlow: every convolution without
    /// bias and followed by batch normalisation (epsilon 0.001) instead of the local response normalisation, a 3x3
    /// convolution in the "#5x5" branches, a 2x2/2 max-pool before inception 5a, dropout 0.2 and auxiliary heads
    /// that average-pool adaptively to 4x4; 6.6M parameters for 1000 classes without the auxiliary heads. Its
    /// <c>transform_input</c> is an input normalisation (mean 0.5, standard deviation 0.5), which the converted
    /// weights file carries. Weights start from N(0, 0.01), as in torchvision. Otherwise as <see cref="Create"/>.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Torchvision(ModelSpec spec) => new GoogLeNetNetwork("googlenet-torchvision", spec, TorchvisionDesign);

    /// <summary>What tells the paper's GoogLeNet and torchvision's apart.</summary>
    /// <param name="Unit">The convolution unit.</param>
    /// <param name="Ch5x5KernelSize">Kernel side of the Inception modules' "#5x5" convolutions.</param>
    /// <param name="LocalResponseNorm">Whether the stem normalises after conv1's pool and after conv3.</param>
    /// <param name="LastPoolKernel">Window of the max-pool (stride 2) before inception 5a.</param>
    /// <param name="Dropout">Dropout before the classifier.</param>
    /// <param name="PaperAuxiliaryPool">The auxiliary heads pool 5x5/3 where that gives 4x4 (else adaptively), or always adaptively to
    /// 4x4.</param>
    /// <param name="Initialise">Sets the starting weights of the network and of its output layers.</param>
    private sealed record Design(ConvUnit Unit, long Ch5x5KernelSize, bool LocalResponseNorm, long LastPoolKernel, double Dropout,
        bool PaperAuxiliaryPool, Action<nn.Module, IEnumerable<nn.Module>> Initialise);

    /// <summary>The reference Caffe model's start: Glorot and Bengio's initialisation, biases at 0.2 (0 in the output layers).</summary>
    private static void XavierWithBiases(nn.Module network, IEnumerable<nn.Module> outputLayers)
    {
        static void XavierUniform(Tensor weight) => nn.init.xavier_uniform_(weight);
        Initialisation.Apply([network], XavierUniform, bias: 0.2);
        Initialisation.Apply(outputLayers, XavierUniform);
    }

    /// <summary>
    /// torchvision's start: weights from N(0, 0.01) truncated to [-2, 2], biases at 0. Bounds 200 standard
    /// deviations out never bite, so a plain normal draw is the same distribution (and TorchSharp 0.107's
    /// <c>trunc_normal_</c> is broken; see <see cref="Initialisation.TruncatedNormal"/>).
    /// </summary>
    private static void SmallNormal(nn.Module network, IEnumerable<nn.Module> outputLayers) =>
        Initialisation.Apply([network], weight => nn.init.normal_(weight, 0, 0.01));

    private sealed class GoogLeNetNetwork : nn.Module<Tensor, Tensor>, IAuxiliaryLoss, IClassifierHead, IExportableModule
    {
        private static readonly Scalar AuxiliaryWeight = AuxiliaryLossWeight.ToScalar();

        private readonly Sequential conv1;
        private readonly nn.Module<Tensor, Tensor> maxpool1;
        private readonly nn.Module<Tensor, Tensor> norm1;
        private readonly Sequential conv2;
        private readonly Sequential conv3;
        private readonly nn.Module<Tensor, Tensor> norm2;
        private readonly MaxPool2d maxpool2;
        private readonly InceptionBlock inception3a;
        private readonly InceptionBlock inception3b;
        private readonly MaxPool2d maxpool3;
        private readonly InceptionBlock inception4a;
        private readonly InceptionBlock inception4b;
        private readonly InceptionBlock inception4c;
        private readonly InceptionBlock inception4d;
        private readonly InceptionBlock inception4e;
        private readonly MaxPool2d maxpool4;
        private readonly InceptionBlock inception5a;
        private readonly InceptionBlock inception5b;
        private readonly AuxiliaryClassifier aux1;
        private readonly AuxiliaryClassifier aux2;
        private readonly AdaptiveAvgPool2d avgpool;
        private readonly Dropout dropout;
        private readonly Linear fc;
        private (Tensor First, Tensor Second)? auxiliaryLogits;

        public GoogLeNetNetwork(string architecture, ModelSpec spec, Design design) : base("GoogLeNet")
        {
            spec.CheckOptions(architecture);
            spec.RequireMinimumSize(architecture, ConvArithmetic.MinimumSide(side => Inception4Side(side, smallImage: true) >= 2));
            bool smallImage = Math.Min(spec.Input.Height, spec.Input.Width) < SmallImageSide;

            var unit = design.Unit;
            InceptionBlock Inception(long inChannels, long ch1x1, long ch3x3Reduce, long ch3x3, long ch5x5Reduce, long ch5x5, long poolProjection) =>
                new(inChannels, ch1x1, ch3x3Reduce, ch3x3, ch5x5Reduce, ch5x5, poolProjection, unit, design.Ch5x5KernelSize);
            nn.Module<Tensor, Tensor> Norm() => design.LocalResponseNorm ? CaffeLocalResponseNorm() : nn.Identity();

            conv1 = unit(spec.Input.Channels, 64, 7, stride: smallImage ? 1 : 2, padding: 3);
            maxpool1 = smallImage ? nn.Identity() : StemPool();
            norm1 = Norm();
            conv2 = unit(64, 64, 1);
            conv3 = unit(64, 192, 3, padding: 1);
            norm2 = Norm();
            maxpool2 = StemPool();
            inception3a = Inception(192, 64, 96, 128, 16, 32, 32);
            inception3b = Inception(256, 128, 128, 192, 32, 96, 64);
            maxpool3 = StemPool();
            inception4a = Inception(480, 192, 96, 208, 16, 48, 64);
            inception4b = Inception(512, 160, 112, 224, 24, 64, 64);
            inception4c = Inception(512, 128, 128, 256, 24, 64, 64);
            inception4d = Inception(512, 112, 144, 288, 32, 64, 64);
            inception4e = Inception(528, 256, 160, 320, 32, 128, 128);
            maxpool4 = nn.MaxPool2d(design.LastPoolKernel, 2, ceil_mode: true);
            inception5a = Inception(832, 256, 160, 320, 32, 128, 128);
            inception5b = Inception(832, 384, 192, 384, 48, 128, 128);
            int height4 = Inception4Side(spec.Input.Height, smallImage), width4 = Inception4Side(spec.Input.Width, smallImage);
            aux1 = new AuxiliaryClassifier(512, spec.ClassCount, height4, width4, design);
            aux2 = new AuxiliaryClassifier(528, spec.ClassCount, height4, width4, design);
            avgpool = nn.AdaptiveAvgPool2d(1);
            dropout = nn.Dropout(design.Dropout);
            fc = nn.Linear(1024, spec.ClassCount);
            RegisterComponents();
            design.Initialise(this, [fc, aux1.Output, aux2.Output]);
        }

        public IReadOnlyList<string> HeadLayers => ["fc", "aux1.fc2", "aux2.fc2"];

        public override Tensor forward(Tensor input)
        {
            auxiliaryLogits = null;
            using var scope = NewDisposeScope();
            var x = maxpool2.call(norm2.call(conv3.call(conv2.call(norm1.call(maxpool1.call(conv1.call(input)))))));
            x = maxpool3.call(inception3b.call(inception3a.call(x)));
            x = inception4a.call(x);
            var first = training ? aux1.call(x) : null;
            x = inception4d.call(inception4c.call(inception4b.call(x)));
            var second = training ? aux2.call(x) : null;
            x = maxpool4.call(inception4e.call(x));
            x = avgpool.call(inception5b.call(inception5a.call(x))).flatten(1);
            var logits = fc.call(dropout.call(x));
            if (first is not null && second is not null)
                auxiliaryLogits = (first.MoveToOuterDisposeScope(), second.MoveToOuterDisposeScope());
            return logits.MoveToOuterDisposeScope();
        }

        /// <summary>The evaluation-mode forward pass, which leaves out the auxiliary classifiers.</summary>
        public string Export(GraphBuilder graph, string input)
        {
            var x = graph.Sequence(input, conv1, maxpool1, norm1, conv2, conv3, norm2, maxpool2, inception3a, inception3b, maxpool3,
                inception4a, inception4b, inception4c, inception4d, inception4e, maxpool4, inception5a, inception5b, avgpool);
            return graph.Sequence(graph.Flatten(x), dropout, fc);
        }

        public Tensor? AuxiliaryLoss(Tensor target, Func<Tensor, Tensor, Tensor> criterion)
        {
            if (auxiliaryLogits is not { } logits)
                return null;
            auxiliaryLogits = null;
            using var scope = NewDisposeScope();
            var sum = criterion(logits.First, target).add(criterion(logits.Second, target), Scalars.One);
            return sum.mul(AuxiliaryWeight).MoveToOuterDisposeScope();
        }

        private static MaxPool2d StemPool() => nn.MaxPool2d(3, 2, ceil_mode: true);

        private static LocalResponseNorm CaffeLocalResponseNorm() => nn.LocalResponseNorm(5, 1e-4, 0.75);

        /// <summary>The side of the maps inception 4a to 4e see: conv1, then three 3x3/2 ceil-mode max-pools (two in the small-image
        /// stem).</summary>
        private static int Inception4Side(int side, bool smallImage)
        {
            static int Pool(int input) => ConvArithmetic.OutputSide(input, 3, 2, ceilMode: true);
            int afterConv1 = ConvArithmetic.OutputSide(side, 7, smallImage ? 1 : 2, 3);
            return Pool(Pool(smallImage ? afterConv1 : Pool(afterConv1)));
        }
    }

    /// <summary>An auxiliary classifier: average pool to 4x4, 1x1 convolution unit of 128 filters, fully connected 1024, dropout 0.7,
    /// linear.</summary>
    private sealed class AuxiliaryClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> pool;
        private readonly Sequential conv;
        private readonly Linear fc1;
        private readonly Dropout dropout;
        private readonly Linear fc2;

        public AuxiliaryClassifier(long inChannels, int classes, int mapHeight, int mapWidth, Design design) : base(nameof(AuxiliaryClassifier))
        {
            int paperHeight = ConvArithmetic.OutputSide(mapHeight, 5, 3), paperWidth = ConvArithmetic.OutputSide(mapWidth, 5, 3);
            bool paperPool = design.PaperAuxiliaryPool && paperHeight == AuxiliaryMapSide && paperWidth == AuxiliaryMapSide;
            int pooledHeight = paperPool || !design.PaperAuxiliaryPool ? AuxiliaryMapSide : Math.Min(AuxiliaryMapSide, mapHeight);
            int pooledWidth = paperPool || !design.PaperAuxiliaryPool ? AuxiliaryMapSide : Math.Min(AuxiliaryMapSide, mapWidth);
            pool = paperPool ? nn.AvgPool2d(5, 3) : nn.AdaptiveAvgPool2d((pooledHeight, pooledWidth));
            conv = design.Unit(inChannels, 128, 1);
            fc1 = nn.Linear(128L * pooledHeight * pooledWidth, 1024);
            dropout = nn.Dropout(0.7);
            fc2 = nn.Linear(1024, classes);
            RegisterComponents();
        }

        /// <summary>The output layer, whose biases start at 0 rather than 0.2.</summary>
        public Linear Output => fc2;

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var features = conv.call(pool.call(input)).flatten(1);
            return fc2.call(dropout.call(fc1.call(features).relu_())).MoveToOuterDisposeScope();
        }
    }
}
