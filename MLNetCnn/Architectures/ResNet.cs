using MLNetCnn.Data;
using MLNetCnn.Export;
using MLNetCnn.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// Residual networks (He, Zhang, Ren and Sun, "Deep residual learning for image recognition", 2016): the
/// ImageNet ResNet-18/34 (basic blocks) and -50/101/152 (bottleneck blocks) of the paper's table 1, and the
/// CIFAR-10 ResNet-20/32/44/56/110 of its section 4.2, with the shallower ResNet-8 and -14 of the same rule.
/// </summary>
/// <remarks>
/// <para>
/// ImageNet ResNets: the stem is a 7x7/2 convolution of 64 filters, batch normalisation, ReLU
/// and a 3x3/2 max-pool; four stages (<c>layer1</c> to <c>layer4</c>) of 64, 128, 256 and 512 block channels
/// follow, stages 2 to 4 starting with stride 2 and a projection shortcut wherever the shape changes (the
/// paper's option B); then global average pooling and a linear layer <c>fc</c>. Bottleneck blocks carry their
/// stride on the first 1x1 convolution, as in the paper (ResNet-50 does 3.86G multiply-adds at 224x224, the paper's 3.8 billion).
/// Names follow torchvision's (<c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c>, <c>layer2.0.downsample.0</c>, ...).
/// Convolutions start with He initialisation (fan-out), as in the paper. At 224x224 ResNet-18 and -34 are
/// torchvision's, and so are ResNet-50, -101 and -152 with option <see cref="StrideOnThreeByThreeOption"/> set to 1.
/// </para>
/// <para>
/// Small images (a side below 64 pixels): the stem becomes a 3x3 convolution at stride 1 without the max-pool
/// (the layer stays as an identity), the usual CIFAR adaptation, so a 32x32 image keeps 32x32 maps in layer1
/// and 4x4 in layer4; every input of at least 1x1 works. Option <see cref="DilatedStagesOption"/> (0, 1, 2 or
/// 3; default 0) replaces the stride of the last 1, 2 or 3 stages by dilation of the following 3x3
/// convolutions, as torchvision's <c>replace_stride_with_dilation</c> and DeepLab do: at 224x224, 1 gives
/// 14x14 and 2 gives 28x28 maps out of layer4, with the same parameters.
/// </para>
/// <para>
/// CIFAR ResNets (section 4.2 of the paper): a 3x3 convolution of 16 filters with batch
/// normalisation and ReLU, three stages (<c>layer1</c> to <c>layer3</c>) of n basic blocks with 16, 32 and 64
/// filters, the second and third starting at stride 2, then global average pooling and a linear layer: 6n+2
/// weighted layers. The paper trains n = 3 to 18 (and 200); n = 1 (ResNet-8) and n = 2 (ResNet-14) are the rule's
/// smaller members, which train on a CPU in minutes. Every shortcut is an identity; where the shape changes it is
/// subsampled and padded with zero channels (the paper's option A), so shortcuts add no parameters. Convolutions start with He
/// initialisation (fan-out). Built for 32x32 images (maps of 32x32, 16x16 and 8x8), these networks take any size of at least 1x1 as
/// they are: 28x28 gives 28x28, 14x14 and 7x7 maps. Take no options.
/// </para>
/// </remarks>
public static class ResNet
{
    /// <summary>Option of the ImageNet ResNets: how many of the last stages trade their stride for dilation (0 to 3).</summary>
    public const string DilatedStagesOption = "dilated_stages";

    /// <summary>
    /// Option of the bottleneck ResNets (50, 101, 152): 1 puts each block's stride on its 3x3 convolution, as torchvision's
    /// "v1.5" does (the structure of its pretrained weights; ResNet-50 then does 4.09G multiply-adds at 224x224); 0, the
    /// default, keeps it on the first 1x1 convolution, as the paper does.
    /// </summary>
    public const string StrideOnThreeByThreeOption = "stride_on_3x3";

    private const int SmallImageSide = 64;

    private static readonly Block BasicBlocks = new(BasicBlock.Expansion, [DilatedStagesOption],
        (i, c, s, d, shortcut, _) => new BasicBlock(i, c, s, d, shortcut));
    private static readonly Block BottleneckBlocks = new(Bottleneck.Expansion, [DilatedStagesOption, StrideOnThreeByThreeOption],
        (i, c, s, d, shortcut, strideOnThreeByThree) => new Bottleneck(i, c, s, d, shortcut, strideOnThreeByThree));

    /// <summary>ResNet-18: basic blocks [2, 2, 2, 2], 11.69M parameters for 1000 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet18(ModelSpec spec) => new ImageNetResNet("resnet18", spec, BasicBlocks, [2, 2, 2, 2]);

    /// <summary>ResNet-34: basic blocks [3, 4, 6, 3], 21.80M parameters for 1000 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet34(ModelSpec spec) => new ImageNetResNet("resnet34", spec, BasicBlocks, [3, 4, 6, 3]);

    /// <summary>ResNet-50: bottleneck blocks [3, 4, 6, 3], 25.56M parameters for 1000 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet50(ModelSpec spec) => new ImageNetResNet("resnet50", spec, BottleneckBlocks, [3, 4, 6, 3]);

    /// <summary>ResNet-101: bottleneck blocks [3, 4, 23, 3], 44.55M parameters for 1000 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet101(ModelSpec spec) => new ImageNetResNet("resnet101", spec, BottleneckBlocks, [3, 4, 23, 3]);

    /// <summary>ResNet-152: bottleneck blocks [3, 8, 36, 3], 60.19M parameters for 1000 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet152(ModelSpec spec) => new ImageNetResNet("resnet152", spec, BottleneckBlocks, [3, 8, 36, 3]);

    /// <summary>ResNet-8 for CIFAR: 1 block per stage (the 6n+2 rule with n = 1), 0.08M parameters for 10 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet8(ModelSpec spec) => new CifarResNet("resnet8", spec, 1);

    /// <summary>ResNet-14 for CIFAR: 2 blocks per stage, 0.17M parameters for 10 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet14(ModelSpec spec) => new CifarResNet("resnet14", spec, 2);

    /// <summary>ResNet-20 for CIFAR: 3 blocks per stage, 0.27M parameters for 10 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet20(ModelSpec spec) => new CifarResNet("resnet20", spec, 3);

    /// <summary>ResNet-32 for CIFAR: 5 blocks per stage, 0.46M parameters for 10 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet32(ModelSpec spec) => new CifarResNet("resnet32", spec, 5);

    /// <summary>ResNet-44 for CIFAR: 7 blocks per stage, 0.66M parameters for 10 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet44(ModelSpec spec) => new CifarResNet("resnet44", spec, 7);

    /// <summary>ResNet-56 for CIFAR: 9 blocks per stage, 0.85M parameters for 10 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet56(ModelSpec spec) => new CifarResNet("resnet56", spec, 9);

    /// <summary>ResNet-110 for CIFAR: 18 blocks per stage, 1.7M parameters for 10 classes.</summary>
    public static nn.Module<Tensor, Tensor> ResNet110(ModelSpec spec) => new CifarResNet("resnet110", spec, 18);

    private static void HeInitialise(IEnumerable<nn.Module> modules) =>
        Initialisation.Apply(modules, w => nn.init.kaiming_normal_(w, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU));

    /// <summary>
    /// A kind of residual block: its expansion, the options of the networks made of it, and how to make one from
    /// (in channels, channels, stride, dilation, shortcut, stride on the 3x3).
    /// </summary>
    private sealed record Block(int Expansion, string[] Options, Func<long, long, long, long, nn.Module<Tensor, Tensor>?, bool, nn.Module<Tensor, Tensor>> Create);

    private sealed class ImageNetResNet : nn.Module<Tensor, Tensor>, IClassifierHead, IExportableModule
    {
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly ReLU relu;
        private readonly nn.Module<Tensor, Tensor> maxpool;
        private readonly Sequential layer1;
        private readonly Sequential layer2;
        private readonly Sequential layer3;
        private readonly Sequential layer4;
        private readonly AdaptiveAvgPool2d avgpool;
        private readonly Linear fc;

        public ImageNetResNet(string architecture, ModelSpec spec, Block block, int[] blocksPerStage) : base("ResNet")
        {
            spec.CheckOptions(architecture, block.Options);
            int dilatedStages = spec.IntegerOption(architecture, DilatedStagesOption, 0, 0, 3);
            bool strideOnThreeByThree = spec.IntegerOption(architecture, StrideOnThreeByThreeOption, 0, 0, 1) == 1;
            bool smallImage = Math.Min(spec.Input.Height, spec.Input.Width) < SmallImageSide;

            conv1 = smallImage
                ? nn.Conv2d(spec.Input.Channels, 64, 3, padding: 1, bias: false)
                : nn.Conv2d(spec.Input.Channels, 64, 7, stride: 2, padding: 3, bias: false);
            bn1 = nn.BatchNorm2d(64);
            relu = nn.ReLU(inplace: true);
            maxpool = smallImage ? nn.Identity() : nn.MaxPool2d(3, 2, 1);
            var stages = new StageBuilder(block, inChannels: 64, strideOnThreeByThree);
            layer1 = stages.Make(64, blocksPerStage[0], stride: 1, dilate: false);
            layer2 = stages.Make(128, blocksPerStage[1], stride: 2, dilate: dilatedStages >= 3);
            layer3 = stages.Make(256, blocksPerStage[2], stride: 2, dilate: dilatedStages >= 2);
            layer4 = stages.Make(512, blocksPerStage[3], stride: 2, dilate: dilatedStages >= 1);
            avgpool = nn.AdaptiveAvgPool2d(1);
            fc = nn.Linear(512L * block.Expansion, spec.ClassCount);
            HeInitialise([conv1, layer1, layer2, layer3, layer4]);
            RegisterComponents();
        }

        public IReadOnlyList<string> HeadLayers => ["fc"];

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = maxpool.call(relu.call(bn1.call(conv1.call(input))));
            x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
            return fc.call(avgpool.call(x).flatten(1)).MoveToOuterDisposeScope();
        }

        public string Export(GraphBuilder graph, string input) =>
            graph.Call(fc, graph.Flatten(graph.Sequence(input, conv1, bn1, relu, maxpool, layer1, layer2, layer3, layer4, avgpool)));
    }

    /// <summary>Makes the stages of an ImageNet ResNet one after another, as torchvision's <c>_make_layer</c>.</summary>
    private sealed class StageBuilder(Block block, long inChannels, bool strideOnThreeByThree)
    {
        private long _inChannels = inChannels;
        private long _dilation = 1;

        public Sequential Make(long channels, int blocks, long stride, bool dilate)
        {
            long previousDilation = _dilation;
            if (dilate)
            {
                _dilation *= stride;
                stride = 1;
            }
            long outChannels = channels * block.Expansion;
            var shortcut = stride != 1 || _inChannels != outChannels ? ResidualShortcut.Projection(_inChannels, outChannels, stride) : null;
            var layers = new List<nn.Module<Tensor, Tensor>> { block.Create(_inChannels, channels, stride, previousDilation, shortcut, strideOnThreeByThree) };
            _inChannels = outChannels;
            for (int i = 1; i < blocks; i++)
                layers.Add(block.Create(_inChannels, channels, 1, _dilation, null, strideOnThreeByThree));
            return nn.Sequential(layers);
        }
    }

    private sealed class CifarResNet : nn.Module<Tensor, Tensor>, IClassifierHead, IExportableModule
    {
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly ReLU relu;
        private readonly Sequential layer1;
        private readonly Sequential layer2;
        private readonly Sequential layer3;
        private readonly AdaptiveAvgPool2d avgpool;
        private readonly Linear fc;

        public CifarResNet(string architecture, ModelSpec spec, int blocksPerStage) : base("CifarResNet")
        {
            spec.CheckOptions(architecture);
            conv1 = nn.Conv2d(spec.Input.Channels, 16, 3, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(16);
            relu = nn.ReLU(inplace: true);
            layer1 = Stage(16, 16, blocksPerStage, stride: 1);
            layer2 = Stage(16, 32, blocksPerStage, stride: 2);
            layer3 = Stage(32, 64, blocksPerStage, stride: 2);
            avgpool = nn.AdaptiveAvgPool2d(1);
            fc = nn.Linear(64, spec.ClassCount);
            HeInitialise([conv1, layer1, layer2, layer3]);
            RegisterComponents();
        }

        public IReadOnlyList<string> HeadLayers => ["fc"];

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = relu.call(bn1.call(conv1.call(input)));
            x = layer3.call(layer2.call(layer1.call(x)));
            return fc.call(avgpool.call(x).flatten(1)).MoveToOuterDisposeScope();
        }

        public string Export(GraphBuilder graph, string input) =>
            graph.Call(fc, graph.Flatten(graph.Sequence(input, conv1, bn1, relu, layer1, layer2, layer3, avgpool)));

        private static Sequential Stage(long inChannels, long channels, int blocks, long stride)
        {
            var shortcut = stride != 1 || inChannels != channels ? ResidualShortcut.ZeroPaddedIdentity(inChannels, channels, stride) : null;
            var layers = new List<nn.Module<Tensor, Tensor>> { new BasicBlock(inChannels, channels, stride, downsample: shortcut) };
            for (int i = 1; i < blocks; i++)
                layers.Add(new BasicBlock(channels, channels));
            return nn.Sequential(layers);
        }
    }
}
