using MLNetCnn.Data;
using MLNetCnn.Export;
using MLNetCnn.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// AlexNet (Krizhevsky, Sutskever and Hinton, "ImageNet classification with deep convolutional neural
/// networks", 2012) and its refinement ZFNet (Zeiler and Fergus, "Visualizing and understanding
/// convolutional networks", 2014): five convolutions, local response normalisation, overlapping 3x3/2
/// max-pooling and three fully connected layers with dropout 0.5.
/// </summary>
/// <remarks>
/// Small images: when the paper's strided first layers would shrink the input to nothing (below 67x67 pixels
/// for AlexNet, 47x47 for ZFNet), conv1 (and ZFNet's conv2) run at stride 1 with "same" padding, keeping their
/// kernels, so a 32x32 image reaches the fully connected layers as 3x3 (AlexNet) or 4x4 (ZFNet) maps; the
/// smallest input is then 15x15 (AlexNet) or 8x8 (ZFNet). The last feature map is average-pooled down to at most
/// the paper's 6x6 (as torchvision does for larger inputs), never up, and fc6 takes whatever that leaves; with option
/// <see cref="AdaptivePoolOption"/> = 1 (the default of <c>alexnet-torchvision</c>) it is pooled to 6x6 up or down, as
/// torchvision's is. Parameter names follow torchvision's layout: <c>features</c>, <c>avgpool</c>, <c>classifier</c>,
/// indexed. <c>alexnet-torchvision</c> is torchvision's AlexNet, the structure of its pretrained weights at any input
/// size torchvision's accepts. All take option <see cref="AdaptivePoolOption"/>.
/// </remarks>
public static class AlexNet
{
    /// <summary>
    /// Option: 1 average-pools the last feature map adaptively to 6x6, up or down, as torchvision's AlexNet does, so fc6
    /// reads 9,216 inputs at every size and torchvision's weights load at any input size; 0 pools only down to at most 6x6
    /// and fc6 reads what is left. Default 1 for <c>alexnet-torchvision</c> (at 224x224 its map is 6x6 either way), 0 for
    /// the papers' networks, whose maps at 224x224 are not all 6x6 (AlexNet's is 5x5: its paper's size is 227x227).
    /// </summary>
    public const string AdaptivePoolOption = FeaturePooling.Option;

    private const int PaperFeatureSide = 6;
    private const int HiddenUnits = 4096;

    private static readonly Design AlexNetDesign = new(
        Conv1: new Conv(11, 4, 0), Conv2: new Conv(5, 1, 2), Filters: [96, 256, 384, 384, 256],
        Groups: 1, CeilModePooling: false, Normalisation: ResponseNormalisation.BeforePooling, Start: StartingWeights.NormalUnitBiases);

    private static readonly Design ZFNetDesign = new(
        Conv1: new Conv(7, 2, 1), Conv2: new Conv(5, 2, 0), Filters: [96, 256, 512, 1024, 512],
        Groups: 1, CeilModePooling: true, Normalisation: ResponseNormalisation.AfterPooling, Start: StartingWeights.NormalZeroBiases);

    private static readonly Design TorchvisionDesign = new(
        Conv1: new Conv(11, 4, 2), Conv2: new Conv(5, 1, 2), Filters: [64, 192, 384, 256, 256],
        Groups: 1, CeilModePooling: false, Normalisation: ResponseNormalisation.None, Start: StartingWeights.LibraryDefault,
        AdaptivePoolByDefault: true);

    private enum ResponseNormalisation
    {
        None,
        BeforePooling,
        AfterPooling,
    }

    private enum StartingWeights
    {
        /// <summary>TorchSharp's (and PyTorch's) default initialisation of each layer.</summary>
        LibraryDefault,

        /// <summary>N(0, 0.01) weights and zero biases.</summary>
        NormalZeroBiases,

        /// <summary>N(0, 0.01) weights, biases at 1 in conv2, conv4, conv5, fc6 and fc7 and 0 elsewhere (AlexNet's paper).</summary>
        NormalUnitBiases,
    }

    /// <summary>
    /// AlexNet as one tower: conv 96@11x11/4, LRN, max-pool, 256@5x5, LRN, max-pool, 384@3x3, 384@3x3,
    /// 256@3x3, max-pool, fc 4096, 4096, classes. At 227x227 the maps are the paper's (55x55x96, 27x27x96,
    /// 27x27x256, 13x13x256, 13x13x384, 13x13x384, 13x13x256, 6x6x256) and there are 62.38M parameters for 1000
    /// classes. Weights start from N(0, 0.01), biases at 1 in conv2, conv4, conv5 and the hidden fully connected
    /// layers and 0 elsewhere, as in the paper.
    /// </summary>
    public static nn.Module<Tensor, Tensor> SingleTower(ModelSpec spec) => new AlexNetNetwork("alexnet", spec, AlexNetDesign);

    /// <summary>
    /// AlexNet with the paper's two-GPU split: conv2, conv4 and conv5 see only the maps of their own half
    /// (groups = 2, hence the paper's 256x48x5x5 kernels), 60.97M parameters for 1000 classes. Otherwise as
    /// <see cref="SingleTower"/>.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Grouped(ModelSpec spec) => new AlexNetNetwork("alexnet-grouped", spec, AlexNetDesign with { Groups = 2 });

    /// <summary>
    /// ZFNet: conv1 96@7x7/2 and conv2 256@5x5/2, then 512, 1024 and 512 filters in conv3-5 (the best model of
    /// the paper's table 3), max-pooling before the cross-map normalisation, ceil-mode pooling so that a 224x224
    /// image gives the paper's 110x110, 55x55, 26x26, 13x13 and 6x6 maps. Weights start from N(0, 0.01), biases at 0.
    /// </summary>
    public static nn.Module<Tensor, Tensor> ZFNet(ModelSpec spec) => new AlexNetNetwork("zfnet", spec, ZFNetDesign);

    /// <summary>
    /// torchvision's AlexNet (after Krizhevsky's "One weird trick", 2014): conv 64@11x11/4 with padding 2, max-pool,
    /// 192@5x5, max-pool, 384@3x3, 256@3x3, 256@3x3, max-pool, average pool to 6x6, fc 4096, 4096, classes, without
    /// local response normalisation; 61.10M parameters for 1000 classes, the structure of torchvision's pretrained
    /// weights. Layers start with the library's default initialisation, as torchvision's do.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Torchvision(ModelSpec spec) => new AlexNetNetwork("alexnet-torchvision", spec, TorchvisionDesign);

    /// <summary>Both papers start weights from N(0, 0.01).</summary>
    private static void NormalWeight(Tensor weight) => nn.init.normal_(weight, 0, 0.01);

    private sealed record Conv(int Kernel, int Stride, int Padding);

    /// <summary>The choices that tell AlexNet and ZFNet apart.</summary>
    /// <param name="Conv1">Kernel, stride and padding of conv1.</param>
    /// <param name="Conv2">Kernel, stride and padding of conv2.</param>
    /// <param name="Filters">Filters of conv1 to conv5.</param>
    /// <param name="Groups">Groups of conv2, conv4 and conv5.</param>
    /// <param name="CeilModePooling">Whether max-pools round their output size up.</param>
    /// <param name="Normalisation">Where conv1 and conv2 are followed by local response normalisation: AlexNet normalises then pools, ZFNet
    /// pools then normalises.</param>
    /// <param name="Start">How the weights start.</param>
    /// <param name="AdaptivePoolByDefault">The default of <see cref="AdaptivePoolOption"/>.</param>
    private sealed record Design(Conv Conv1, Conv Conv2, int[] Filters, int Groups, bool CeilModePooling, ResponseNormalisation Normalisation, StartingWeights Start,
        bool AdaptivePoolByDefault = false)
    {
        /// <summary>The same design with conv1 and conv2 at stride 1 and "same" padding, for small images.</summary>
        public Design ForSmallImages() => this with
        {
            Conv1 = new Conv(Conv1.Kernel, 1, Conv1.Kernel / 2),
            Conv2 = new Conv(Conv2.Kernel, 1, Conv2.Kernel / 2),
        };

        /// <summary>The side of the last feature map for an input side; zero or less when the layers do not fit.</summary>
        public int FeatureSide(int side)
        {
            int Pool(int input) => ConvArithmetic.OutputSide(input, 3, 2, ceilMode: CeilModePooling);
            int afterConv1 = ConvArithmetic.OutputSide(side, Conv1.Kernel, Conv1.Stride, Conv1.Padding);
            int afterConv2 = ConvArithmetic.OutputSide(Pool(afterConv1), Conv2.Kernel, Conv2.Stride, Conv2.Padding);
            return Pool(Pool(afterConv2));
        }

        public bool Fits(int height, int width) => FeatureSide(height) >= 1 && FeatureSide(width) >= 1;
    }

    private sealed class AlexNetNetwork : nn.Module<Tensor, Tensor>, IClassifierHead, IExportableModule
    {
        private readonly Sequential features;
        private readonly AdaptiveAvgPool2d avgpool;
        private readonly Sequential classifier;

        public AlexNetNetwork(string architecture, ModelSpec spec, Design paperDesign) : base("AlexNet")
        {
            spec.CheckOptions(architecture, AdaptivePoolOption);
            var smallImageDesign = paperDesign.ForSmallImages();
            spec.RequireMinimumSize(architecture, ConvArithmetic.MinimumSide(side => smallImageDesign.FeatureSide(side) >= 1));
            var design = paperDesign.Fits(spec.Input.Height, spec.Input.Width) ? paperDesign : smallImageDesign;

            var f = design.Filters;
            var convs = new[]
            {
                nn.Conv2d(spec.Input.Channels, f[0], design.Conv1.Kernel, stride: design.Conv1.Stride, padding: design.Conv1.Padding),
                nn.Conv2d(f[0], f[1], design.Conv2.Kernel, stride: design.Conv2.Stride, padding: design.Conv2.Padding, groups: design.Groups),
                nn.Conv2d(f[1], f[2], 3, padding: 1),
                nn.Conv2d(f[2], f[3], 3, padding: 1, groups: design.Groups),
                nn.Conv2d(f[3], f[4], 3, padding: 1, groups: design.Groups),
            };
            var layers = new List<nn.Module<Tensor, Tensor>>();
            for (int i = 0; i < convs.Length; i++)
            {
                layers.Add(convs[i]);
                layers.Add(nn.ReLU(inplace: true));
                if (i < 2 && design.Normalisation == ResponseNormalisation.BeforePooling)
                    layers.Add(LocalResponseNormalization.AlexNet());
                if (i is < 2 or 4)
                    layers.Add(nn.MaxPool2d(3, 2, ceil_mode: design.CeilModePooling));
                if (i < 2 && design.Normalisation == ResponseNormalisation.AfterPooling)
                    layers.Add(LocalResponseNormalization.AlexNet());
            }
            features = nn.Sequential(layers);

            (avgpool, int pooledHeight, int pooledWidth) = FeaturePooling.Create(spec, architecture, paperDesign.AdaptivePoolByDefault, PaperFeatureSide,
                design.FeatureSide(spec.Input.Height), design.FeatureSide(spec.Input.Width));
            var fc6 = nn.Linear((long)f[4] * pooledHeight * pooledWidth, HiddenUnits);
            var fc7 = nn.Linear(HiddenUnits, HiddenUnits);
            var fc8 = nn.Linear(HiddenUnits, spec.ClassCount);
            classifier = nn.Sequential(
                nn.Dropout(0.5), fc6, nn.ReLU(inplace: true),
                nn.Dropout(0.5), fc7, nn.ReLU(inplace: true),
                fc8);

            if (design.Start != StartingWeights.LibraryDefault)
            {
                Initialisation.Apply([convs[0], convs[2], fc8], NormalWeight);
                Initialisation.Apply([convs[1], convs[3], convs[4], fc6, fc7], NormalWeight, bias: design.Start == StartingWeights.NormalUnitBiases ? 1 : 0);
            }
            RegisterComponents();
        }

        public IReadOnlyList<string> HeadLayers => ["classifier.6"];

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var pooled = avgpool.call(features.call(input));
            return classifier.call(pooled.flatten(1)).MoveToOuterDisposeScope();
        }

        public string Export(GraphBuilder graph, string input) => graph.Call(classifier, graph.Flatten(graph.Sequence(input, features, avgpool)));
    }
}
