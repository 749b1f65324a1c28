using MLNetCnn.Export;
using MLNetCnn.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>
/// The basic residual block of He, Zhang, Ren and Sun ("Deep residual learning for image recognition", 2016):
/// two 3x3 convolutions with batch normalisation, the input added back before the last ReLU. Parameter names
/// follow torchvision (<c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>, <c>downsample</c>).
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>, IExportableModule
{
    /// <summary>Output channels per block channel.</summary>
    public const int Expansion = 1;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly nn.Module<Tensor, Tensor>? downsample;

    /// <summary>Creates the block.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="channels">Channels of both convolutions and of the output.</param>
    /// <param name="stride">Stride of the first convolution.</param>
    /// <param name="dilation">Dilation of both convolutions (padding follows, so the stride alone sets the output size).</param>
    /// <param name="downsample">
    /// The shortcut when the input's shape differs from the output's (a strided 1x1 projection, or a parameter-free
    /// zero-padding identity); null for the identity.
    /// </param>
    public BasicBlock(long inChannels, long channels, long stride = 1, long dilation = 1, nn.Module<Tensor, Tensor>? downsample = null)
        : base(nameof(BasicBlock))
    {
        ResidualShortcut.Check(inChannels, channels * Expansion, stride, downsample);
        conv1 = nn.Conv2d(inChannels, channels, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = nn.BatchNorm2d(channels);
        conv2 = nn.Conv2d(channels, channels, 3, padding: dilation, dilation: dilation, bias: false);
        bn2 = nn.BatchNorm2d(channels);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var identity = downsample is null ? input : downsample.call(input);
        var output = bn1.call(conv1.call(input)).relu_();
        output = bn2.call(conv2.call(output));
        return output.add_(identity, Scalars.One).relu_().MoveToOuterDisposeScope();
    }

    string IExportableModule.Export(GraphBuilder graph, string input)
    {
        var identity = downsample is null ? input : graph.Call(downsample, input);
        var output = graph.Relu(graph.Sequence(input, conv1, bn1));
        return graph.Relu(graph.Add(graph.Sequence(output, conv2, bn2), identity));
    }
}
