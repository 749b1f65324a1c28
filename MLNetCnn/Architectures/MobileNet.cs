using MLNetCnn.Data;
using MLNetCnn.Export;
using MLNetCnn.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// MobileNet v1 (Howard et al., "MobileNets: efficient convolutional neural networks for mobile vision
/// applications", 2017): a 3x3/2 convolution of 32 filters, thirteen depthwise separable blocks (table 1 of the
/// paper), global average pooling and a linear classifier, every convolution followed by batch normalisation
/// and ReLU.
/// </summary>
/// <remarks>
/// Options: <see cref="WidthMultiplierOption"/> (alpha, default 1, in [0.001, 4]) scales every layer's filters to
/// <c>max(8, floor(alpha * filters))</c> as the reference implementation does; <see cref="ResolutionMultiplierOption"/>
/// (rho, default 1, in [0.001, 1]) resizes the input bilinearly to <c>round(rho * side)</c> before the first layer, so
/// every map shrinks by rho and the multiply-adds by about rho squared (the paper sets rho through the input size;
/// here the network does it). At 224x224 MobileNet v1 has 4.2M parameters and about 569M multiply-adds for 1000
/// classes, and the last map is the paper's 7x7x1024. Small images (a side, after resizing, below 64 pixels): the
/// first convolution runs at stride 1, so a 32x32 image ends as a 2x2 map; every input of at least 1x1 works.
/// Weights start from a normal distribution of standard deviation 0.09 truncated at two deviations, as in the
/// reference TensorFlow model. Names: <c>conv1</c>, <c>bn1</c>, <c>blocks.N.conv_dw</c>, <c>blocks.N.conv_pw</c>, <c>fc</c>.
/// </remarks>
public static class MobileNet
{
    /// <summary>The width multiplier alpha: the fraction of each layer's filters kept.</summary>
    public const string WidthMultiplierOption = "alpha";

    /// <summary>The resolution multiplier rho: the fraction of the input's height and width the network works at.</summary>
    public const string ResolutionMultiplierOption = "rho";

    private const int SmallImageSide = 64;
    private const int MinimumFilters = 8;
    private const int StemFilters = 32;

    /// <summary>The depthwise separable blocks of table 1: pointwise filters and depthwise stride.</summary>
    private static readonly (int Filters, int Stride)[] BlockDesign =
    [
        (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
        (512, 1), (512, 1), (512, 1), (512, 1), (512, 1),
        (1024, 2), (1024, 1),
    ];

    /// <summary>MobileNet v1 with the width and resolution multipliers given as options (both 1 by default).</summary>
    public static nn.Module<Tensor, Tensor> V1(ModelSpec spec) => new MobileNetV1("mobilenet-v1", spec, defaultAlpha: 1, alphaIsOption: true);

    /// <summary>0.75 MobileNet v1 (alpha = 0.75): 2.6M parameters, 325M multiply-adds at 224x224. Takes option rho only.</summary>
    public static nn.Module<Tensor, Tensor> V1Width075(ModelSpec spec) => new MobileNetV1("mobilenet-v1-0.75", spec, defaultAlpha: 0.75, alphaIsOption: false);

    /// <summary>0.5 MobileNet v1 (alpha = 0.5): 1.3M parameters, 149M multiply-adds at 224x224. Takes option rho only.</summary>
    public static nn.Module<Tensor, Tensor> V1Width050(ModelSpec spec) => new MobileNetV1("mobilenet-v1-0.5", spec, defaultAlpha: 0.5, alphaIsOption: false);

    /// <summary>0.25 MobileNet v1 (alpha = 0.25): 0.5M parameters, 41M multiply-adds at 224x224. Takes option rho only.</summary>
    public static nn.Module<Tensor, Tensor> V1Width025(ModelSpec spec) => new MobileNetV1("mobilenet-v1-0.25", spec, defaultAlpha: 0.25, alphaIsOption: false);

    private sealed class MobileNetV1 : nn.Module<Tensor, Tensor>, IClassifierHead, IExportableModule
    {
        private readonly Upsample? resize;
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly ReLU relu;
        private readonly Sequential blocks;
        private readonly AdaptiveAvgPool2d avgpool;
        private readonly Linear fc;

        public MobileNetV1(string architecture, ModelSpec spec, double defaultAlpha, bool alphaIsOption) : base("MobileNetV1")
        {
            if (alphaIsOption)
                spec.CheckOptions(architecture, WidthMultiplierOption, ResolutionMultiplierOption);
            else
                spec.CheckOptions(architecture, ResolutionMultiplierOption);
            double alpha = alphaIsOption ? spec.Option(architecture, WidthMultiplierOption, defaultAlpha, 0.001, 4) : defaultAlpha;
            double rho = spec.Option(architecture, ResolutionMultiplierOption, 1, 0.001, 1);
            int height = (int)Math.Round(rho * spec.Input.Height), width = (int)Math.Round(rho * spec.Input.Width);
            if (height < 1 || width < 1)
                throw new ArgumentException($"Option '{ResolutionMultiplierOption}' of {architecture} is {rho}, which shrinks the {spec.Input} input to nothing.");
            int Filters(int paperFilters) => Math.Max(MinimumFilters, (int)(alpha * paperFilters));

            resize = rho < 1 ? nn.Upsample(size: [height, width], mode: UpsampleMode.Bilinear, align_corners: false) : null;
            bool smallImage = Math.Min(height, width) < SmallImageSide;
            conv1 = nn.Conv2d(spec.Input.Channels, Filters(StemFilters), 3, stride: smallImage ? 1 : 2, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(Filters(StemFilters));
            relu = nn.ReLU(inplace: true);
            var layers = new List<nn.Module<Tensor, Tensor>>();
            int channels = Filters(StemFilters);
            foreach (var (filters, stride) in BlockDesign)
            {
                layers.Add(new DepthwiseSeparableBlock(channels, Filters(filters), stride));
                channels = Filters(filters);
            }
            blocks = nn.Sequential(layers);
            avgpool = nn.AdaptiveAvgPool2d(1);
            fc = nn.Linear(channels, spec.ClassCount);
            RegisterComponents();
            Initialisation.Apply([this], w => Initialisation.TruncatedNormal(w, 0.09));
        }

        public IReadOnlyList<string> HeadLayers => ["fc"];

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = resize is null ? input : resize.call(input);
            x = blocks.call(relu.call(bn1.call(conv1.call(x))));
            return fc.call(avgpool.call(x).flatten(1)).MoveToOuterDisposeScope();
        }

        public string Export(GraphBuilder graph, string input)
        {
            var x = resize is null ? input : graph.Call(resize, input);
            return graph.Call(fc, graph.Flatten(graph.Sequence(x, conv1, bn1, relu, blocks, avgpool)));
        }
    }
}
