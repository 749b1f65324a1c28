using MLNetCnn.Export;
using MLNetCnn.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>
/// The bottleneck residual block of He, Zhang, Ren and Sun (2016): a 1x1 convolution reducing to
/// <c>channels</c>, a 3x3 convolution, a 1x1 convolution expanding to <c>4 * channels</c>, each with batch
/// normalisation, the input added back before the last ReLU. As in the paper, the stride sits on the first
/// 1x1 convolution by default; torchvision's "v1.5" puts it on the 3x3, which changes the outputs and multiply-adds
/// but not the parameters.
/// Parameter names follow torchvision (<c>conv1..3</c>, <c>bn1..3</c>, <c>downsample</c>).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>, IExportableModule
{
    /// <summary>Output channels per block channel.</summary>
    public const int Expansion = 4;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly nn.Module<Tensor, Tensor>? downsample;
    private readonly long conv1Stride;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="channels">Channels of the 1x1 reduction and the 3x3 convolution; the output has four times as many.</param>
    /// <param name="stride">Stride of the first 1x1 convolution (or of the 3x3, see <paramref name="strideOnThreeByThree"/>).</param>
    /// <param name="dilation">Dilation of the 3x3 convolution (padding follows, so the stride alone sets the output size).</param>
    /// <param name="downsample">The shortcut when the input's shape differs from the output's; null for the identity.</param>
    /// <param name="strideOnThreeByThree">Put the stride on the 3x3 convolution, as torchvision's ResNet-50/101/152 ("v1.5") do.</param>
    public Bottleneck(long inChannels, long channels, long stride = 1, long dilation = 1, nn.Module<Tensor, Tensor>? downsample = null,
        bool strideOnThreeByThree = false)
        : base(nameof(Bottleneck))
    {
        ResidualShortcut.Check(inChannels, channels * Expansion, stride, downsample);
        // A strided conv1 runs unstrided on the subsampled input (see Subsampling for why).
        conv1Stride = strideOnThreeByThree ? 1 : stride;
        conv1 = nn.Conv2d(inChannels, channels, 1, bias: false);
        bn1 = nn.BatchNorm2d(channels);
        conv2 = nn.Conv2d(channels, channels, 3, stride: strideOnThreeByThree ? stride : 1, padding: dilation, dilation: dilation, bias: false);
        bn2 = nn.BatchNorm2d(channels);
        conv3 = nn.Conv2d(channels, channels * Expansion, 1, bias: false);
        bn3 = nn.BatchNorm2d(channels * Expansion);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var identity = downsample is null ? input : downsample.call(input);
        var output = bn1.call(conv1.call(Subsampling.Apply(input, conv1Stride))).relu_();
        output = bn2.call(conv2.call(output)).relu_();
        output = bn3.call(conv3.call(output));
        return output.add_(identity, Scalars.One).relu_().MoveToOuterDisposeScope();
    }

    string IExportableModule.Export(GraphBuilder graph, string input)
    {
        var identity = downsample is null ? input : graph.Call(downsample, input);
        var output = graph.Relu(graph.Sequence(Subsampling.Export(graph, input, conv1Stride), conv1, bn1));
        output = graph.Relu(graph.Sequence(output, conv2, bn2));
        return graph.Relu(graph.Add(graph.Sequence(output, conv3, bn3), identity));
    }
}
