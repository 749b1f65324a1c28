using MLNetCnn.Export;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>
/// The depthwise separable convolution of Howard et al. ("MobileNets", 2017, figure 3): a 3x3 depthwise
/// convolution (one filter per input channel) and a 1x1 pointwise convolution, each followed by batch
/// normalisation and a ReLU. It costs <c>1/N + 1/9</c> of a standard 3x3 convolution's multiply-adds (N the
/// output channels). Names follow timm's (<c>conv_dw</c>, <c>bn1</c>, <c>conv_pw</c>, <c>bn2</c>).
/// </summary>
public sealed class DepthwiseSeparableBlock : nn.Module<Tensor, Tensor>, IExportableModule
{
    [ComponentName(Name = "conv_dw")]
    private readonly Conv2d depthwise;
    private readonly BatchNorm2d bn1;
    [ComponentName(Name = "conv_pw")]
    private readonly Conv2d pointwise;
    private readonly BatchNorm2d bn2;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels (and depthwise filters).</param>
    /// <param name="outChannels">Output channels (pointwise filters).</param>
    /// <param name="stride">Stride of the depthwise convolution.</param>
    public DepthwiseSeparableBlock(long inChannels, long outChannels, long stride = 1) : base(nameof(DepthwiseSeparableBlock))
    {
        depthwise = nn.Conv2d(inChannels, inChannels, 3, stride: stride, padding: 1, groups: inChannels, bias: false);
        bn1 = nn.BatchNorm2d(inChannels);
        pointwise = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var output = bn1.call(depthwise.call(input)).relu_();
        return bn2.call(pointwise.call(output)).relu_().MoveToOuterDisposeScope();
    }

    string IExportableModule.Export(GraphBuilder graph, string input) =>
        graph.Relu(graph.Sequence(graph.Relu(graph.Sequence(input, depthwise, bn1)), pointwise, bn2));
}
