using MLNetCnn.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>
/// The Inception module with dimension reductions of Szegedy et al. ("Going deeper with convolutions", 2015,
/// figure 2b): 1x1, 3x3 and 5x5 convolutions and a 3x3 max-pool side by side, the 3x3 and 5x5 preceded by 1x1
/// reductions and the pool followed by a 1x1 projection, every convolution followed by a ReLU, the four
/// outputs concatenated along the channels. The spatial size is kept. Branches are named as torchvision's
/// (<c>branch1</c> to <c>branch4</c>); torchvision's GoogLeNet puts a 3x3 where the paper has the 5x5 (its issue 906)
/// and batch normalisation in every unit, both available here as parameters.
/// </summary>
public sealed class InceptionBlock : nn.Module<Tensor, Tensor>, IExportableModule
{
    private readonly Sequential branch1;
    private readonly Sequential branch2;
    private readonly Sequential branch3;
    private readonly Sequential branch4;

    /// <summary>Creates the module with the filter counts of a row of the paper's table 1.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="ch1x1">Filters of the 1x1 branch ("#1x1").</param>
    /// <param name="ch3x3Reduce">Filters of the 1x1 reduction before the 3x3 ("#3x3 reduce").</param>
    /// <param name="ch3x3">Filters of the 3x3 convolution ("#3x3").</param>
    /// <param name="ch5x5Reduce">Filters of the 1x1 reduction before the 5x5 ("#5x5 reduce").</param>
    /// <param name="ch5x5">Filters of the 5x5 convolution ("#5x5").</param>
    /// <param name="poolProjection">Filters of the 1x1 projection after the max-pool ("pool proj").</param>
    /// <param name="unit">Makes each convolution unit; <see cref="ConvRelu.Create"/> (the paper's) by default.</param>
    /// <param name="ch5x5KernelSize">Kernel side of the "#5x5" convolution: 5 as in the paper, 3 as in torchvision.</param>
    public InceptionBlock(long inChannels, long ch1x1, long ch3x3Reduce, long ch3x3, long ch5x5Reduce, long ch5x5, long poolProjection,
        ConvUnit? unit = null, long ch5x5KernelSize = 5)
        : base(nameof(InceptionBlock))
    {
        unit ??= ConvRelu.Create;
        branch1 = unit(inChannels, ch1x1, 1);
        branch2 = nn.Sequential(unit(inChannels, ch3x3Reduce, 1), unit(ch3x3Reduce, ch3x3, 3, padding: 1));
        branch3 = nn.Sequential(unit(inChannels, ch5x5Reduce, 1), unit(ch5x5Reduce, ch5x5, ch5x5KernelSize, padding: ch5x5KernelSize / 2));
        branch4 = nn.Sequential(nn.MaxPool2d(3, stride: 1, padding: 1, ceil_mode: true), unit(inChannels, poolProjection, 1));
        OutChannels = ch1x1 + ch3x3 + ch5x5 + poolProjection;
        RegisterComponents();
    }

    /// <summary>Channels of the concatenated output.</summary>
    public long OutChannels { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return cat([branch1.call(input), branch2.call(input), branch3.call(input), branch4.call(input)], 1).MoveToOuterDisposeScope();
    }

    string IExportableModule.Export(GraphBuilder graph, string input) =>
        graph.ConcatChannels(graph.Call(branch1, input), graph.Call(branch2, input), graph.Call(branch3, input), graph.Call(branch4, input));
}
