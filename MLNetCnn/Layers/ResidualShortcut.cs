using MLNetCnn.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>The shortcuts of residual blocks whose output shape differs from their input's (He et al. 2016, section 3.3).</summary>
public static class ResidualShortcut
{
    /// <summary>Option B: a strided 1x1 convolution and batch normalisation (torchvision's <c>downsample.0</c>,
    /// <c>downsample.1</c>). The convolution runs unstrided on the subsampled input, the same arithmetic (see
    /// <see cref="Subsampling"/> for why).</summary>
    /// <param name="inChannels">The block's input channels.</param>
    /// <param name="outChannels">The block's output channels.</param>
    /// <param name="stride">The block's stride.</param>
    public static nn.Module<Tensor, Tensor> Projection(long inChannels, long outChannels, long stride) =>
        new ProjectionShortcut(inChannels, outChannels, stride);

    /// <summary>Option A: the identity, subsampled by the stride and padded with zero channels; it has no parameters.</summary>
    /// <param name="inChannels">The block's input channels.</param>
    /// <param name="outChannels">The block's output channels (at least the input's).</param>
    /// <param name="stride">The block's stride.</param>
    public static nn.Module<Tensor, Tensor> ZeroPaddedIdentity(long inChannels, long outChannels, long stride) =>
        new ZeroPaddingShortcut(outChannels - inChannels, stride);

    /// <summary>Throws when a block whose output shape differs from its input's has no shortcut to match them.</summary>
    internal static void Check(long inChannels, long outChannels, long stride, nn.Module<Tensor, Tensor>? downsample)
    {
        if (downsample is null && (stride != 1 || inChannels != outChannels))
            throw new ArgumentException($"A residual block from {inChannels} to {outChannels} channels with stride {stride} needs a downsample shortcut.", nameof(downsample));
    }

    private sealed class ZeroPaddingShortcut : nn.Module<Tensor, Tensor>, IExportableModule
    {
        private readonly long extraChannels;
        private readonly long stride;

        public ZeroPaddingShortcut(long extraChannels, long stride) : base(nameof(ZeroPaddingShortcut))
        {
            ArgumentOutOfRangeException.ThrowIfNegative(extraChannels);
            this.extraChannels = extraChannels;
            this.stride = stride;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return nn.functional.pad(Subsampling.Apply(input, stride), [0, 0, 0, 0, 0, extraChannels]).MoveToOuterDisposeScope();
        }

        public string Export(GraphBuilder graph, string input) =>
            // ONNX pads list every dimension's start, then every dimension's end: here the end of the channels.
            graph.Node("Pad", [Subsampling.Export(graph, input, stride), graph.Constant("pads", [0, 0, 0, 0, 0, extraChannels, 0, 0])]);
    }

    /// <summary>Named as torchvision's <c>nn.Sequential</c> shortcut (<c>0</c> the convolution, <c>1</c> the norm).</summary>
    private sealed class ProjectionShortcut : nn.Module<Tensor, Tensor>, IExportableModule
    {
        private readonly Conv2d convolution;
        private readonly BatchNorm2d norm;
        private readonly long stride;

        public ProjectionShortcut(long inChannels, long outChannels, long stride) : base(nameof(ProjectionShortcut))
        {
            convolution = nn.Conv2d(inChannels, outChannels, 1, bias: false);
            norm = nn.BatchNorm2d(outChannels);
            this.stride = stride;
            register_module("0", convolution);
            register_module("1", norm);
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            return norm.call(convolution.call(Subsampling.Apply(input, stride))).MoveToOuterDisposeScope();
        }

        public string Export(GraphBuilder graph, string input) => graph.Sequence(Subsampling.Export(graph, input, stride), convolution, norm);
    }
}
