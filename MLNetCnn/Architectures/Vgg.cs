using MLNetCnn.Data;
using MLNetCnn.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// VGG (Simonyan and Zisserman, "Very deep convolutional networks for large-scale image recognition", 2015):
/// stacks of 3x3 convolutions (stride 1, padding 1) with ReLU, 2x2/2 max-pooling after each stack, then fully
/// connected layers of 4096, 4096 and the classes with dropout 0.5. Configurations A, B, D and E of the paper's
/// table 1 are VGG-11, -13, -16 and -19; the <c>-bn</c> variants add batch normalisation after every
/// convolution (as torchvision's do; batch normalisation came after the paper).
/// </summary>
/// <remarks>
/// At 224x224 the five stacks leave the paper's 7x7x512 map and VGG-16 has 138.4M parameters for 1000 classes.
/// Small images: a max-pool is left out (an identity keeps the layer numbering) when the map reaching it is
/// already smaller than 2x2, so a 28x28 image ends as a 1x1x512 map instead of vanishing. The last map is
/// average-pooled adaptively to the paper's 7x7 (up or down, as torchvision does), so fc6 has its 224x224 shape at every
/// input size; with option <see cref="AdaptivePoolOption"/> = 0 it is pooled only down, never up, and fc6 takes
/// whatever that leaves (512 inputs at 32x32). Weights start with Glorot and Bengio's initialisation and
/// biases at zero, the paper's choice for training from scratch. Parameter names follow torchvision's:
/// <c>features</c>, <c>avgpool</c>, <c>classifier</c>, indexed; at 224x224 (and larger) every variant is
/// torchvision's, and with the default adaptive pool so is every smaller input torchvision's VGG accepts (32x32 and up),
/// so its pretrained weights load as they are at those sizes. Takes option <see cref="AdaptivePoolOption"/>.
/// </remarks>
public static class Vgg
{
    /// <summary>
    /// Option (default 1): 1 average-pools the last feature map adaptively to 7x7, up or down, as torchvision's VGG does, so
    /// fc6 reads 25,088 inputs at every size and torchvision's weights load at any input size; 0 pools only down to at most
    /// 7x7 and fc6 reads what is left (512 inputs at 32x32), a far smaller network for small images. At 224x224 and larger
    /// both are the same network.
    /// </summary>
    public const string AdaptivePoolOption = FeaturePooling.Option;

    private const int Pool = 0;
    private const int PaperFeatureSide = 7;
    private const int HiddenUnits = 4096;

    private static readonly int[] ConfigurationA = [64, Pool, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512, Pool];
    private static readonly int[] ConfigurationB = [64, 64, Pool, 128, 128, Pool, 256, 256, Pool, 512, 512, Pool, 512, 512, Pool];
    private static readonly int[] ConfigurationD = [64, 64, Pool, 128, 128, Pool, 256, 256, 256, Pool, 512, 512, 512, Pool, 512, 512, 512, Pool];
    private static readonly int[] ConfigurationE = [64, 64, Pool, 128, 128, Pool, 256, 256, 256, 256, Pool, 512, 512, 512, 512, Pool, 512, 512, 512, 512, Pool];

    /// <summary>VGG-11, configuration A: 8 convolutions and 3 fully connected layers.</summary>
    public static nn.Module<Tensor, Tensor> Vgg11(ModelSpec spec) => new VggNetwork("vgg11", spec, ConfigurationA, batchNorm: false);

    /// <summary>VGG-11 with batch normalisation after every convolution.</summary>
    public static nn.Module<Tensor, Tensor> Vgg11BatchNorm(ModelSpec spec) => new VggNetwork("vgg11-bn", spec, ConfigurationA, batchNorm: true);

    /// <summary>VGG-13, configuration B: 10 convolutions and 3 fully connected layers.</summary>
    public static nn.Module<Tensor, Tensor> Vgg13(ModelSpec spec) => new VggNetwork("vgg13", spec, ConfigurationB, batchNorm: false);

    /// <summary>VGG-13 with batch normalisation after every convolution.</summary>
    public static nn.Module<Tensor, Tensor> Vgg13BatchNorm(ModelSpec spec) => new VggNetwork("vgg13-bn", spec, ConfigurationB, batchNorm: true);

    /// <summary>VGG-16, configuration D: 13 convolutions and 3 fully connected layers.</summary>
    public static nn.Module<Tensor, Tensor> Vgg16(ModelSpec spec) => new VggNetwork("vgg16", spec, ConfigurationD, batchNorm: false);

    /// <summary>VGG-16 with batch normalisation after every convolution.</summary>
    public static nn.Module<Tensor, Tensor> Vgg16BatchNorm(ModelSpec spec) => new VggNetwork("vgg16-bn", spec, ConfigurationD, batchNorm: true);

    /// <summary>VGG-19, configuration E: 16 convolutions and 3 fully connected layers.</summary>
    public static nn.Module<Tensor, Tensor> Vgg19(ModelSpec spec) => new VggNetwork("vgg19", spec, ConfigurationE, batchNorm: false);

    /// <summary>VGG-19 with batch normalisation after every convolution.</summary>
    public static nn.Module<Tensor, Tensor> Vgg19BatchNorm(ModelSpec spec) => new VggNetwork("vgg19-bn", spec, ConfigurationE, batchNorm: true);

    private sealed class VggNetwork : nn.Module<Tensor, Tensor>, IClassifierHead, IExportableModule
    {
        private readonly Sequential features;
        private readonly AdaptiveAvgPool2d avgpool;
        private readonly Sequential classifier;

        public VggNetwork(string architecture, ModelSpec spec, int[] configuration, bool batchNorm) : base("VGG")
        {
            spec.CheckOptions(architecture, AdaptivePoolOption);
            var layers = new List<nn.Module<Tensor, Tensor>>();
            long channels = spec.Input.Channels;
            int height = spec.Input.Height, width = spec.Input.Width;
            foreach (int filters in configuration)
            {
                if (filters == Pool)
                {
                    bool fits = height >= 2 && width >= 2;
                    layers.Add(fits ? nn.MaxPool2d(2, 2) : nn.Identity());
                    if (fits)
                        (height, width) = (height / 2, width / 2);
                    continue;
                }
                layers.Add(nn.Conv2d(channels, filters, 3, padding: 1));
                if (batchNorm)
                    layers.Add(nn.BatchNorm2d(filters));
                layers.Add(nn.ReLU(inplace: true));
                channels = filters;
            }
            features = nn.Sequential(layers);

            (avgpool, int pooledHeight, int pooledWidth) = FeaturePooling.Create(spec, architecture, adaptiveByDefault: true, PaperFeatureSide, height, width);
            classifier = nn.Sequential(
                nn.Linear(channels * pooledHeight * pooledWidth, HiddenUnits), nn.ReLU(inplace: true), nn.Dropout(0.5),
                nn.Linear(HiddenUnits, HiddenUnits), nn.ReLU(inplace: true), nn.Dropout(0.5),
                nn.Linear(HiddenUnits, spec.ClassCount));
            Initialisation.Apply([features, classifier], w => nn.init.xavier_uniform_(w));
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
